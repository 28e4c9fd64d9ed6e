package dev.gateway.queue.cassandra;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Date;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns a {@link Mail} into what a queue row holds, and back: the envelope and processing state as one JSON text
 * (name, sender, recipients, state, error message, last update, remote host and address, attributes, per-recipient
 * headers) and the message as its raw bytes. Attributes use James's own JSON form of attribute values, so any
 * attribute a mailet can serialise survives the queue; one that cannot is dropped with the rest kept.
 */
final class MailCodec {

    private final ObjectMapper json = new ObjectMapper();

    String metadata(Mail mail) {
        ObjectNode node = json.createObjectNode();
        node.put("name", mail.getName());
        mail.getMaybeSender().asOptional().ifPresent(sender -> node.put("sender", sender.asString()));
        ArrayNode recipients = node.putArray("recipients");
        mail.getRecipients().forEach(recipient -> recipients.add(recipient.asString()));
        node.put("state", mail.getState());
        node.put("errorMessage", mail.getErrorMessage());
        if (mail.getLastUpdated() != null) {
            node.put("lastUpdated", mail.getLastUpdated().getTime());
        }
        node.put("remoteHost", mail.getRemoteHost());
        node.put("remoteAddr", mail.getRemoteAddr());
        ObjectNode attributes = node.putObject("attributes");
        mail.attributes().forEach(attribute -> attribute.getValue().toJson()
            .ifPresent(value -> attributes.set(attribute.getName().asString(), value)));
        ObjectNode headers = node.putObject("perRecipientHeaders");
        mail.getPerRecipientSpecificHeaders().getHeadersByRecipient().forEach((recipient, header) -> {
            ArrayNode list = headers.has(recipient.asString())
                ? (ArrayNode) headers.get(recipient.asString())
                : headers.putArray(recipient.asString());
            list.addObject().put("name", header.getName()).put("value", header.getValue());
        });
        return node.toString();
    }

    byte[] content(Mail mail) throws MessagingException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(1024, Math.min(mail.getMessageSize(), 64L << 20)));
            mail.getMessage().writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new MessagingException("Cannot serialise message of mail " + mail.getName(), e);
        }
    }

    Mail mail(String metadata, byte[] content) throws MessagingException {
        try {
            JsonNode node = json.readTree(metadata);
            MailImpl.Builder builder = MailImpl.builder()
                .name(node.get("name").asText())
                .sender(node.hasNonNull("sender") ? MaybeSender.getMailSender(node.get("sender").asText()) : MaybeSender.nullSender())
                .state(text(node, "state"))
                .errorMessage(text(node, "errorMessage"))
                .remoteHost(text(node, "remoteHost"))
                .remoteAddr(text(node, "remoteAddr"));
            for (JsonNode recipient : node.get("recipients")) {
                builder.addRecipient(new MailAddress(recipient.asText()));
            }
            if (node.hasNonNull("lastUpdated")) {
                builder.lastUpdated(new Date(node.get("lastUpdated").asLong()));
            }
            for (Map.Entry<String, JsonNode> attribute : fields(node.get("attributes"))) {
                builder.addAttribute(new Attribute(AttributeName.of(attribute.getKey()), AttributeValue.fromJson(attribute.getValue())));
            }
            PerRecipientHeaders headers = new PerRecipientHeaders();
            for (Map.Entry<String, JsonNode> entry : fields(node.get("perRecipientHeaders"))) {
                MailAddress recipient = new MailAddress(entry.getKey());
                for (JsonNode header : entry.getValue()) {
                    headers.addHeaderForRecipient(PerRecipientHeaders.Header.builder()
                        .name(header.get("name").asText())
                        .value(header.get("value").asText())
                        .build(), recipient);
                }
            }
            builder.addAllHeadersForRecipients(headers);
            MailImpl mail = builder.build();
            // Not through the builder: MailImpl.setMessage copies any message it is given into a new disposable
            // buffer (a temporary file above james.message.memory.threshold), which whoever holds the mail must
            // dispose, and a browse never does. The bytes read from the row are already a buffer the mail can keep.
            mail.setMessageNoCopy(new QueuedMimeMessage(new BytesSource(node.get("name").asText(), content)));
            return mail;
        } catch (AddressException e) {
            throw new MessagingException("Invalid address in queued mail metadata", e);
        } catch (IOException e) {
            throw new MessagingException("Unreadable queued mail metadata", e);
        }
    }

    /** The message bytes read back from the queue, parsed lazily by James's wrapper. */
    record BytesSource(String name, byte[] content) implements MimeMessageSource {
        @Override
        public String getSourceId() {
            return "queue:" + name;
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(content);
        }

        @Override
        public long getMessageSize() {
            return content.length;
        }
    }

    /** Whether a queued mail's metadata matches a WebAdmin removal: by name, sender or one of its recipients. */
    boolean matches(String metadata, org.apache.james.queue.api.ManageableMailQueue.Type type, String value) {
        try {
            JsonNode node = json.readTree(metadata);
            return switch (type) {
                case Name -> value.equals(text(node, "name"));
                case Sender -> value.equals(text(node, "sender"));
                case Recipient -> java.util.stream.StreamSupport.stream(node.get("recipients").spliterator(), false)
                    .anyMatch(recipient -> value.equals(recipient.asText()));
            };
        } catch (IOException e) {
            return false;
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode object) {
        return object::fields;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
