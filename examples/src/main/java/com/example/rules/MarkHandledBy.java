package com.example.rules;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Adds an {@code X-Handled-By} header naming its tag to each mail it sees. Added, not set: a mail that two
 * configured instances handle carries both tags.
 *
 * <pre>{@code
 * <mailet match="All" class="com.example.rules.MarkHandledBy">
 *     <tag>my-first-rule</tag>
 * </mailet>
 * }</pre>
 */
public class MarkHandledBy extends GenericMailet {

    private String tag;

    @Override
    public void init() {
        tag = getInitParameter("tag", "untagged");
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        mail.getMessage().addHeader("X-Handled-By", tag);
        mail.getMessage().saveChanges();
    }
}
