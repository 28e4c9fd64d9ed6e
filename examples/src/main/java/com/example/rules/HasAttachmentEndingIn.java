package com.example.rules;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * Matches mail with an attachment whose file name ends in one of the listed suffixes (case does not matter), at any
 * depth of the MIME tree, so that a mailet can tag or hold it. All recipients, or none.
 *
 * <pre>{@code
 * <mailet match="com.example.rules.HasAttachmentEndingIn=.exe,.scr,.js" class="com.example.rules.MarkHandledBy">
 *     <tag>executable-attachment</tag>
 * </mailet>
 * }</pre>
 */
public class HasAttachmentEndingIn extends GenericMatcher {

    private List<String> suffixes;

    @Override
    public void init() throws MessagingException {
        suffixes = Arrays.stream(Optional.ofNullable(getCondition()).orElse("").split(","))
            .map(suffix -> suffix.trim().toLowerCase(Locale.ROOT)).filter(suffix -> !suffix.isEmpty()).toList();
        if (suffixes.isEmpty()) {
            throw new MessagingException("HasAttachmentEndingIn needs suffixes: HasAttachmentEndingIn=.exe,.scr");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        try {
            return hasMatchingAttachment(mail.getMessage()) ? mail.getRecipients() : List.of();
        } catch (IOException e) {
            throw new MessagingException("could not read the parts of " + mail.getName(), e);
        }
    }

    private boolean hasMatchingAttachment(Part part) throws MessagingException, IOException {
        String name = part.getFileName();
        if (name != null && suffixes.stream().anyMatch(name.toLowerCase(Locale.ROOT)::endsWith)) {
            return true;
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                if (hasMatchingAttachment(multipart.getBodyPart(i))) {
                    return true;
                }
            }
        }
        return false;
    }
}
