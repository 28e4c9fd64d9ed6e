package com.example.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.junit.jupiter.api.Test;

/** The hook reads nothing from the SMTP session, so none is given (null): its decision is the envelope's alone. */
class ListMembersOnlyTest {

    @Test
    void aNonMemberIsRefusedWithAPermanentPolicyReply() throws Exception {
        HookResult result = hook().doRcpt(null, sender("mallory@elsewhere.example"), new MailAddress("team@example.com"));
        assertEquals("550", result.getSmtpRetCode());
        assertEquals("5.7.1 Only members may write to <team@example.com>", result.getSmtpDescription());
    }

    @Test
    void aMemberInAnyCaseIsLeftToTheRestOfTheChain() throws Exception {
        assertEquals(HookResult.DECLINED, hook().doRcpt(null, sender("Bob@Partner.Example"), new MailAddress("TEAM@example.com")));
    }

    @Test
    void theNullSenderIsNoMember() throws Exception {
        assertEquals("550", hook().doRcpt(null, MaybeSender.nullSender(), new MailAddress("team@example.com")).getSmtpRetCode());
    }

    @Test
    void otherRecipientsAreNotItsBusiness() throws Exception {
        assertEquals(HookResult.DECLINED, hook().doRcpt(null, sender("mallory@elsewhere.example"), new MailAddress("alice@example.com")));
    }

    @Test
    void aHookWithoutItsListRefusesToStart() {
        assertThrows(ConfigurationException.class, () -> new ListMembersOnly().init(new BaseHierarchicalConfiguration()));
    }

    private static ListMembersOnly hook() throws ConfigurationException {
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("list", "team@example.com");
        configuration.addProperty("members", "alice@example.com, bob@partner.example");
        ListMembersOnly hook = new ListMembersOnly();
        hook.init(configuration);
        return hook;
    }

    private static MaybeSender sender(String address) throws Exception {
        return MaybeSender.of(new MailAddress(address));
    }
}
