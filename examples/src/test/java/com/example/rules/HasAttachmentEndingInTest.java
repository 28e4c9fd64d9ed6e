package com.example.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;

class HasAttachmentEndingInTest {

    private static final String RECIPIENT = "alice@example.com";

    @Test
    void matchesAnAttachmentNamedWithAListedSuffixInAnyCase() throws Exception {
        assertEquals(1, matcher(".exe, .scr").match(mailWithAttachment("setup.EXE")).size());
        assertEquals(1, matcher(".exe, .scr").match(mailWithAttachment("screen.scr")).size());
    }

    @Test
    void findsAnAttachmentInsideANestedMultipart() throws Exception {
        Mail mail = mail(MimeMessageBuilder.mimeMessageBuilder().setSubject("nested").setContent(
            MimeMessageBuilder.multipartBuilder().addBody(MimeMessageBuilder.bodyPartBuilder().data("text"))
                .addBody(MimeMessageBuilder.bodyPartBuilder().data(MimeMessageBuilder.multipartBuilder()
                    .addBody(MimeMessageBuilder.bodyPartBuilder().filename("tool.exe").data("MZ")).build()))));
        assertEquals(1, matcher(".exe").match(mail).size());
    }

    @Test
    void leavesOtherAttachmentsAndPlainMailAlone() throws Exception {
        assertTrue(matcher(".exe").match(mailWithAttachment("report.pdf")).isEmpty());
        assertTrue(matcher(".exe").match(mailWithAttachment("exe.txt")).isEmpty());
        assertTrue(matcher(".exe").match(mail(MimeMessageBuilder.mimeMessageBuilder().setSubject("plain")
            .setText("setup.exe is mentioned, not attached"))).isEmpty());
    }

    @Test
    void aConditionWithoutSuffixesIsRefusedAtStart() {
        assertThrows(MessagingException.class, () -> matcher(" , "));
    }

    private static HasAttachmentEndingIn matcher(String condition) throws MessagingException {
        HasAttachmentEndingIn matcher = new HasAttachmentEndingIn();
        matcher.init(FakeMatcherConfig.builder().matcherName("HasAttachmentEndingIn").condition(condition).build());
        return matcher;
    }

    private static Mail mailWithAttachment(String filename) throws Exception {
        return mail(MimeMessageBuilder.mimeMessageBuilder().setSubject("attached").setContent(
            MimeMessageBuilder.multipartBuilder().addBody(MimeMessageBuilder.bodyPartBuilder().data("see attached"))
                .addBody(MimeMessageBuilder.bodyPartBuilder().filename(filename).data("content"))));
    }

    private static Mail mail(MimeMessageBuilder message) throws Exception {
        return FakeMail.builder().name("m").recipient(new MailAddress(RECIPIENT)).mimeMessage(message).build();
    }
}
