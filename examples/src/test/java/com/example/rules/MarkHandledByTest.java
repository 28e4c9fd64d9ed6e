package com.example.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class MarkHandledByTest {

    @Test
    void addsItsTagToTheTagsAlreadyThere() throws Exception {
        Mail mail = FakeMail.builder().name("m1")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hi").setText("body")).build();

        mailet("first").service(mail);
        mailet("second").service(mail);

        assertArrayEquals(new String[] {"first", "second"}, mail.getMessage().getHeader("X-Handled-By"));
    }

    private static MarkHandledBy mailet(String tag) throws Exception {
        MarkHandledBy mailet = new MarkHandledBy();
        mailet.init(FakeMailetConfig.builder().mailetName("mark").setProperty("tag", tag).build());
        return mailet;
    }
}
