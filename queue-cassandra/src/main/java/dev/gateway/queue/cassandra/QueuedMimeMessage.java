package dev.gateway.queue.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

import javax.mail.MessagingException;

import org.apache.commons.io.IOUtils;
import org.apache.james.server.core.InternetHeadersInputStream;
import org.apache.james.server.core.MailHeaders;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;

import com.google.common.io.CountingInputStream;

/**
 * A dequeued mail's message: James's wrapper over the queued bytes, except that once only its headers were changed it
 * finds where the queued body starts once, instead of at every read.
 *
 * <p>Why: James 3.8.1's {@code MimeMessageWrapper}, asked for its bytes or its size after a header changed, parses the
 * queued headers again, a byte at a time, only to skip them, and does it at every call. Local delivery changes a
 * header of every mail ({@code Return-Path}) and then asks five times for one mailbox (the size, the header, the body,
 * the attachments, the append): 7 % of the gateway's CPU samples at 2 KB were those parses in a profile of the shipped
 * default (docs/benchmarks.md). Here the first such call measures the queued headers' length, as James does for the
 * size, and the next ones skip that many bytes. What is read is byte for byte what James's wrapper gives
 * ({@code QueuedMimeMessageTest}); an unchanged message, or one whose body changed, is James's own path.
 */
final class QueuedMimeMessage extends MimeMessageWrapper {

    /** The queued bytes' header length, with the blank line after it; measured on the first read that needs it. */
    private volatile long queuedHeaderLength = -1;

    QueuedMimeMessage(MimeMessageSource source) {
        super(source);
    }

    // Each method takes James's own path where James's does not skip the queued headers: its conditions differ (a
    // message whose content was loaded but not changed has its size from the source, its bytes with the headers).

    @Override
    public InputStream getMessageInputStream() throws MessagingException {
        if (source == null || bodyModified || !(messageParsed || isModified())) {
            return super.getMessageInputStream();
        }
        try {
            InputStream body = source.getInputStream();
            body.skipNBytes(queuedHeaderLength());
            return new SequenceInputStream(new InternetHeadersInputStream(getAllHeaderLines()), body);
        } catch (IOException e) {
            throw new MessagingException("Unable to get inputstream", e);
        }
    }

    @Override
    public long getMessageSize() throws MessagingException {
        if (source == null || bodyModified || !isModified()) {
            return super.getMessageSize();
        }
        try {
            return source.getMessageSize() - queuedHeaderLength()
                + IOUtils.consume(new InternetHeadersInputStream(getAllHeaderLines()));
        } catch (IOException e) {
            throw new MessagingException("Error retrieving message size", e);
        }
    }

    private long queuedHeaderLength() throws IOException, MessagingException {
        long measured = queuedHeaderLength;
        if (measured < 0) {
            // As James's getMessageSize measures it: the bytes its header parser consumes.
            try (CountingInputStream in = new CountingInputStream(source.getInputStream())) {
                new MailHeaders(in);
                measured = in.getCount();
            }
            queuedHeaderLength = measured;
        }
        return measured;
    }
}
