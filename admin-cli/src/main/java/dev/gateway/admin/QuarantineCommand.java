package dev.gateway.admin;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.gateway.api.Age;

/**
 * {@code bin/gateway quarantine ...} over James's {@code /mailRepositories} routes: the spam and authentication
 * quarantine ({@code var/mail/quarantine}, released through the {@code spam-release} processor) and the routing
 * quarantine ({@code var/mail/routing-quarantine}, released through {@code routing-release}).
 */
final class QuarantineCommand extends SubcommandDispatch {

    static final String USAGE = """
        usage: bin/gateway quarantine list    [--kind spam|routing] [FILTERS]
               bin/gateway quarantine show    ID
               bin/gateway quarantine release ID... | [--kind K] FILTERS | --all
               bin/gateway quarantine delete  ID... | [--kind K] FILTERS | --all   [--yes]
        FILTERS: --sender ADDRESS|@DOMAIN  --recipient-domain D  --older-than 90s|30m|2h|3d
        every command takes --json""";

    private static final Set<String> VALUED = Set.of("kind", "sender", "recipient-domain", "older-than");
    private static final Set<String> FLAGS = Set.of("all", "yes", "json");

    /** A quarantine: its repository and the processor that delivers what is released from it. */
    record Kind(String name, String repository, String releaseProcessor) {
        String path() {
            return "/mailRepositories/" + WebAdmin.encode(repository);
        }
    }

    static final List<Kind> KINDS = List.of(
        new Kind("spam", "var/mail/quarantine", "spam-release"),
        new Kind("routing", "var/mail/routing-quarantine", "routing-release"));

    QuarantineCommand(WebAdmin webAdmin, PrintStream out, Confirmation confirmation) {
        super(webAdmin, out, confirmation, USAGE, VALUED, FLAGS);
    }

    @Override
    Map<String, Consumer<Arguments>> subcommands() {
        return Map.of("list", this::list, "show", this::show, "release", this::release, "delete", this::delete);
    }

    private void list(Arguments args) {
        List<ObjectNode> mails = matching(args);
        if (args.flag("json")) {
            ArrayNode array = WebAdmin.JSON.createArrayNode();
            mails.forEach(array::add);
            out.println(array);
            return;
        }
        Table table = new Table("ID", "KIND", "AGE", "SIZE", "SENDER", "RECIPIENTS", "REASON");
        Instant now = Instant.now();
        for (ObjectNode mail : mails) {
            table.row(mail.get("name").asText(), mail.get("kind").asText(),
                lastUpdated(mail).map(at -> Table.age(Duration.between(at, now).toSeconds())).orElse("-"),
                QueueCommand.text(mail.get("messageSize")), QueueCommand.orNullSender(QueueCommand.text(mail.get("sender"))),
                String.join(",", QueueCommand.texts(mail.get("recipients"))), QueueCommand.text(mail.get("error")));
        }
        table.print(out);
        out.println(mails.size() + (mails.size() == 1 ? " mail" : " mails"));
    }

    private void show(Arguments args) {
        if (args.words().size() != 1) {
            throw new AdminException("usage: bin/gateway quarantine show ID");
        }
        String id = args.words().get(0);
        for (Kind kind : KINDS) {
            Optional<ObjectNode> mail = mail(kind, id, "attributes,headers,messageSize");
            if (mail.isPresent()) {
                if (args.flag("json")) {
                    out.println(mail.get());
                    return;
                }
                JsonNode found = mail.get();
                out.println("id:          " + id);
                out.println("quarantine:  " + kind.name() + " (" + kind.repository() + ")");
                out.println("updated:     " + lastUpdated(found).map(Instant::toString).orElse("-"));
                out.println("size:        " + QueueCommand.text(found.get("messageSize")));
                out.println("sender:      " + QueueCommand.orNullSender(QueueCommand.text(found.get("sender"))));
                out.println("recipients:  " + String.join(", ", QueueCommand.texts(found.get("recipients"))));
                out.println("reason:      " + QueueCommand.text(found.get("error")));
                out.println("received from: " + QueueCommand.text(found.get("remoteHost")) + " [" + QueueCommand.text(found.get("remoteAddr")) + "]");
                out.println("attributes:");
                Optional.ofNullable(found.get("attributes")).ifPresent(attributes -> attributes.fields()
                    .forEachRemaining(entry -> out.println("  " + entry.getKey() + " = " + entry.getValue())));
                out.println("headers:");
                Optional.ofNullable(found.get("headers")).ifPresent(headers -> headers.fields().forEachRemaining(entry ->
                    QueueCommand.texts(entry.getValue()).forEach(value -> out.println("  " + entry.getKey() + ": " + value))));
                return;
            }
        }
        throw new AdminException("no quarantined mail with id '" + id + "'");
    }

    /** Reprocesses each selected mail into its quarantine's release processor and waits for the task. */
    private void release(Arguments args) {
        List<ObjectNode> mails = selected(args);
        int released = 0;
        for (ObjectNode mail : mails) {
            Kind kind = kind(mail.get("kind").asText());
            JsonNode task = webAdmin.patch(kind.path() + "/mails/" + key(mail) + "?action=reprocess&processor="
                + WebAdmin.encode(kind.releaseProcessor()));
            awaitTask(task);
            released++;
            progress(args, "released", released, mails.size());
        }
        summary(args, "released", released);
    }

    private void delete(Arguments args) {
        List<ObjectNode> mails = selected(args);
        if (!mails.isEmpty() && !args.flag("yes")
            && !confirmation.confirm("delete " + mails.size() + " quarantined " + (mails.size() == 1 ? "mail" : "mails") + "?")) {
            throw new AdminException("nothing deleted");
        }
        int deleted = 0;
        for (ObjectNode mail : mails) {
            webAdmin.delete(kind(mail.get("kind").asText()).path() + "/mails/" + key(mail));
            deleted++;
            progress(args, "deleted", deleted, mails.size());
        }
        summary(args, "deleted", deleted);
    }

    /** Ids named on the command line, or what the filters (or --all) select; never everything by accident. */
    private List<ObjectNode> selected(Arguments args) {
        if (!args.words().isEmpty()) {
            List<ObjectNode> mails = new ArrayList<>();
            for (String id : args.words()) {
                mails.add(KINDS.stream().map(kind -> mail(kind, id, "")).flatMap(Optional::stream).findFirst()
                    .orElseThrow(() -> new AdminException("no quarantined mail with id '" + id + "'")));
            }
            return mails;
        }
        if (args.value("sender").isEmpty() && args.value("recipient-domain").isEmpty()
            && args.value("older-than").isEmpty() && args.value("kind").isEmpty() && !args.flag("all")) {
            throw new AdminException("name the mails (IDs), give a filter, or --all");
        }
        return matching(args);
    }

    private List<ObjectNode> matching(Arguments args) {
        Optional<String> sender = args.value("sender").map(value -> value.toLowerCase(Locale.ROOT));
        Optional<String> domain = args.value("recipient-domain").map(value -> value.toLowerCase(Locale.ROOT));
        Optional<Duration> olderThan = args.value("older-than").map(QuarantineCommand::duration);
        Instant now = Instant.now();
        List<ObjectNode> mails = new ArrayList<>();
        for (Kind kind : KINDS) {
            if (args.value("kind").map(wanted -> !wanted.equals(kind.name())).orElse(false)) {
                continue;
            }
            for (JsonNode key : keys(kind)) {
                mail(kind, key.asText(), "messageSize")
                    .filter(mail -> sender.map(wanted -> senderMatches(QueueCommand.text(mail.get("sender")), wanted)).orElse(true))
                    .filter(mail -> domain.map(wanted -> QueueCommand.texts(mail.get("recipients")).stream()
                        .anyMatch(recipient -> recipient.toLowerCase(Locale.ROOT).endsWith("@" + wanted))).orElse(true))
                    .filter(mail -> olderThan.map(age -> lastUpdated(mail).map(at -> at.plus(age).isBefore(now)).orElse(false)).orElse(true))
                    .ifPresent(mails::add);
            }
        }
        return mails;
    }

    private JsonNode keys(Kind kind) {
        try {
            return webAdmin.get(kind.path() + "/mails");
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                return WebAdmin.JSON.createArrayNode(); // created with its first mail
            }
            throw e;
        }
    }

    private Optional<ObjectNode> mail(Kind kind, String id, String additionalFields) {
        try {
            JsonNode mail = webAdmin.get(kind.path() + "/mails/" + WebAdmin.encode(id).replace("+", "%20")
                + (additionalFields.isEmpty() ? "" : "?additionalFields=" + additionalFields));
            ObjectNode node = (ObjectNode) mail;
            node.put("kind", kind.name());
            return Optional.of(node);
        } catch (AdminException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void awaitTask(JsonNode task) {
        if (task.hasNonNull("taskId")) {
            String taskId = task.get("taskId").asText();
            // Silent while it runs: --json output must stay one JSON document.
            JsonNode done = webAdmin.awaitTask(taskId, () -> { });
            if (!"completed".equals(done.path("status").asText())) {
                throw new AdminException("release task " + task.get("taskId").asText() + " ended " + done.path("status").asText());
            }
        }
    }

    private void progress(Arguments args, String verb, int done, int total) {
        if (total > 20 && done % 20 == 0 && !args.flag("json")) {
            out.println(verb + " " + done + " of " + total);
        }
    }

    private void summary(Arguments args, String verb, int count) {
        if (args.flag("json")) {
            out.println(WebAdmin.JSON.createObjectNode().put(verb, count));
        } else {
            out.println(verb + " " + count + (count == 1 ? " mail" : " mails"));
        }
    }

    private static String key(JsonNode mail) {
        return WebAdmin.encode(mail.get("name").asText()).replace("+", "%20");
    }

    private static Kind kind(String name) {
        return KINDS.stream().filter(kind -> kind.name().equals(name)).findFirst()
            .orElseThrow(() -> new AdminException("--kind is spam or routing, not '" + name + "'"));
    }

    private static boolean senderMatches(String sender, String wanted) {
        String lower = sender.toLowerCase(Locale.ROOT);
        return wanted.startsWith("@") ? lower.endsWith(wanted) : lower.equals(wanted);
    }

    /** James writes lastUpdated as epoch milliseconds or as an ISO date, depending on the serializer. */
    static Optional<Instant> lastUpdated(JsonNode mail) {
        JsonNode value = mail.get("lastUpdated");
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (value.isNumber()) {
            return Optional.of(Instant.ofEpochMilli(value.asLong()));
        }
        try {
            return Optional.of(java.time.OffsetDateTime.parse(value.asText()).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static Duration duration(String text) {
        try {
            return Age.parse(text);
        } catch (IllegalArgumentException e) {
            throw new AdminException("--older-than: " + e.getMessage());
        }
    }
}
