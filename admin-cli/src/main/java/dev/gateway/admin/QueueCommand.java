package dev.gateway.admin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bin/gateway queue ...} over the routes of {@code /gateway/queue} (docs/operations.md#mail-queues):
 * status, list, show, flush, delete, hold, release, requeue.
 */
final class QueueCommand extends SubcommandDispatch {

    static final String USAGE = """
        usage: bin/gateway queue status                        each queue's size and held mail
               bin/gateway queue list    [FILTERS] [--held]    the matching mails, oldest first
               bin/gateway queue show    ID                    one mail: envelope, attributes, headers
               bin/gateway queue flush   [FILTERS]             retry delayed mail now
               bin/gateway queue hold    FILTERS|--all         keep matching mail out of delivery
               bin/gateway queue release [FILTERS]             give held mail back to its queue
               bin/gateway queue requeue FILTERS|--all         route matching mail again from the transport processor
               bin/gateway queue delete  FILTERS|--all [--held] [--yes]
        FILTERS: --queue Q  --sender ADDRESS|@DOMAIN|'<>'  --recipient-domain D  --older-than 90s|30m|2h|3d  --id ID...
        every command takes --json""";

    private static final Set<String> VALUED = Set.of("queue", "sender", "recipient-domain", "older-than", "id");
    private static final Set<String> FLAGS = Set.of("held", "all", "yes", "json");
    /** Deletion sends the ids it showed, this many per request, and says how far it got. */
    private static final int BATCH = 200;

    QueueCommand(WebAdmin webAdmin, PrintStream out, Confirmation confirmation) {
        super(webAdmin, out, confirmation, USAGE, VALUED, FLAGS);
    }

    @Override
    Map<String, Consumer<Arguments>> subcommands() {
        return Map.of(
            "status", this::status,
            "list", this::list,
            "show", this::show,
            "flush", args -> act(args, "flush", "flushed", "flushed"),
            "hold", args -> act(args, "hold", "held", "held"),
            "release", args -> act(args, "release", "released", "released"),
            "requeue", args -> act(args, "requeue", "requeued", "requeued"),
            "delete", this::delete);
    }

    private void status(Arguments args) {
        JsonNode queues = webAdmin.get(QueueRoutesPaths.BASE);
        if (args.flag("json")) {
            out.println(queues);
            return;
        }
        Table table = new Table("QUEUE", "SIZE", "HELD");
        queues.forEach(queue -> table.row(queue.get("name").asText(), queue.get("size").asLong(), queue.get("held").asLong()));
        table.print(out);
    }

    private JsonNode matching(Arguments args, boolean held) {
        List<Map.Entry<String, String>> query = filters(args);
        if (held) {
            query.add(Map.entry("held", "true"));
        }
        return webAdmin.get(QueueRoutesPaths.BASE + "/mails" + WebAdmin.query(query));
    }

    private void list(Arguments args) {
        JsonNode mails = matching(args, args.flag("held"));
        if (args.flag("json")) {
            out.println(mails);
            return;
        }
        Table table = new Table("ID", "QUEUE", "AGE", "SIZE", "SENDER", "RECIPIENTS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR");
        mails.forEach(mail -> table.row(mail.get("id").asText(),
            mail.get("queue").asText() + (mail.get("held").asBoolean() ? " (held)" : ""),
            Table.age(mail.get("ageSeconds").asLong()), mail.get("size").asLong(),
            orNullSender(mail.get("sender").asText()), String.join(",", texts(mail.get("recipients"))),
            mail.get("attempts").asInt(), text(mail.get("nextAttempt")), text(mail.get("lastError"))));
        table.print(out);
        out.println(mails.size() + (mails.size() == 1 ? " mail" : " mails"));
    }

    private void show(Arguments args) {
        if (args.words().size() != 1) {
            throw new AdminException("usage: bin/gateway queue show ID");
        }
        JsonNode mail = webAdmin.get(QueueRoutesPaths.BASE + "/mails/" + WebAdmin.encode(args.words().get(0)).replace("+", "%20"));
        if (args.flag("json")) {
            out.println(mail);
            return;
        }
        out.println("id:            " + mail.get("id").asText());
        out.println("queue:         " + mail.get("queue").asText() + (mail.get("held").asBoolean() ? " (held)" : ""));
        out.println("arrived:       " + mail.get("arrived").asText() + " (" + Table.age(mail.get("ageSeconds").asLong()) + " ago)");
        out.println("size:          " + mail.get("size").asLong());
        out.println("sender:        " + orNullSender(mail.get("sender").asText()));
        out.println("recipients:    " + String.join(", ", texts(mail.get("recipients"))));
        out.println("state:         " + text(mail.get("state")));
        out.println("attempts:      " + mail.get("attempts").asInt() + ", last " + text(mail.get("lastAttempt")));
        out.println("next attempt:  " + text(mail.get("nextAttempt")));
        out.println("last error:    " + text(mail.get("lastError")));
        out.println("received from: " + text(mail.get("remoteHost")) + " [" + text(mail.get("remoteAddress")) + "]");
        out.println("attributes:");
        mail.get("attributes").fields().forEachRemaining(entry -> out.println("  " + entry.getKey() + " = " + entry.getValue().asText()));
        out.println("headers:");
        mail.get("headers").forEach(header -> out.println("  " + header.get(0).asText() + ": " + header.get(1).asText()));
    }

    private void act(Arguments args, String action, String field, String verb) {
        List<Map.Entry<String, String>> query = filters(args);
        if (args.flag("all")) {
            query.add(Map.entry("all", "true"));
        }
        JsonNode answer = webAdmin.post(QueueRoutesPaths.BASE + "/" + action + WebAdmin.query(query));
        if (args.flag("json")) {
            out.println(answer);
            return;
        }
        long count = answer.get(field).asLong();
        out.println(verb + " " + count + (count == 1 ? " mail" : " mails"));
    }

    /** Shows what it will delete, asks (unless --yes), then deletes exactly those, by id, in batches. */
    private void delete(Arguments args) {
        boolean held = args.flag("held");
        if (filters(args).isEmpty() && !args.flag("all")) {
            throw new AdminException("queue delete needs a filter, or --all");
        }
        JsonNode mails = matching(args, held);
        List<String> ids = new ArrayList<>();
        mails.forEach(mail -> ids.add(mail.get("id").asText()));
        if (ids.isEmpty()) {
            report(args, 0, 0);
            return;
        }
        if (!args.flag("yes") && !confirmation.confirm("delete " + ids.size() + (held ? " held" : " queued")
            + (ids.size() == 1 ? " mail" : " mails") + "?")) {
            throw new AdminException("nothing deleted");
        }
        long deleted = 0;
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<Map.Entry<String, String>> query = new ArrayList<>();
            ids.subList(from, Math.min(ids.size(), from + BATCH)).forEach(id -> query.add(Map.entry("id", id)));
            if (held) {
                query.add(Map.entry("held", "true"));
            }
            deleted += webAdmin.delete(QueueRoutesPaths.BASE + "/mails" + WebAdmin.query(query)).get("deleted").asLong();
            if (ids.size() > BATCH && !args.flag("json")) {
                out.println("deleted " + deleted + " of " + ids.size());
            }
        }
        report(args, deleted, ids.size());
    }

    private void report(Arguments args, long deleted, int matched) {
        if (args.flag("json")) {
            out.println(WebAdmin.JSON.createObjectNode().put("matched", matched).put("deleted", deleted));
        } else {
            out.println("deleted " + deleted + (deleted == 1 ? " mail" : " mails")
                + (deleted < matched ? " (" + (matched - deleted) + " left their queue meanwhile)" : ""));
        }
    }

    static List<Map.Entry<String, String>> filters(Arguments args) {
        List<Map.Entry<String, String>> query = new ArrayList<>();
        args.value("queue").ifPresent(value -> query.add(Map.entry("queue", value)));
        args.value("sender").ifPresent(value -> query.add(Map.entry("sender", value)));
        args.value("recipient-domain").ifPresent(value -> query.add(Map.entry("recipientDomain", value)));
        args.value("older-than").ifPresent(value -> query.add(Map.entry("olderThan", value)));
        args.values("id").forEach(value -> query.add(Map.entry("id", value)));
        return query;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(node -> texts.add(node.isTextual() ? node.asText() : node.toString()));
        }
        return texts;
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() ? "-" : node.asText();
    }

    static String orNullSender(String sender) {
        return sender == null || sender.isEmpty() ? "<>" : sender;
    }

    /** Where the server's routes live; one constant so the CLI and the docs agree. */
    static final class QueueRoutesPaths {
        static final String BASE = "/gateway/queue";
    }
}
