package com.example.rules;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;

/**
 * Refuses mail to a list address from anyone not on its member list, at RCPT TO, so the sender's own server
 * bounces it (nothing is accepted and then dropped). Other recipients are left to the rest of the chain.
 *
 * <pre>{@code
 * <handler class="com.example.rules.ListMembersOnly">
 *     <list>team@example.com</list>
 *     <members>alice@example.com, bob@partner.example</members>
 * </handler>
 * }</pre>
 *
 * Reply: {@code 550 5.7.1 Only members may write to <team@example.com>}.
 */
public class ListMembersOnly implements RcptHook {

    private String list;
    private Set<String> members;

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        list = configuration.getString("list", "").trim().toLowerCase(Locale.ROOT);
        if (list.isEmpty()) {
            throw new ConfigurationException("ListMembersOnly needs <list>the list's address</list>");
        }
        // commons-configuration splits "a, b" into a list only when told to, so the commas are split here.
        members = Arrays.stream(configuration.getStringArray("members"))
            .flatMap(value -> Arrays.stream(value.split("[,\\s]+")))
            .map(member -> member.trim().toLowerCase(Locale.ROOT)).filter(member -> !member.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (!rcpt.asString().toLowerCase(Locale.ROOT).equals(list)) {
            return HookResult.DECLINED;
        }
        boolean member = sender.asOptional()
            .map(address -> members.contains(address.asString().toLowerCase(Locale.ROOT))).orElse(false);
        if (member) {
            return HookResult.DECLINED; // a member: the rest of the chain decides as for any mail
        }
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
            .smtpDescription("5.7.1 Only members may write to <" + rcpt.asString() + ">").build();
    }
}
