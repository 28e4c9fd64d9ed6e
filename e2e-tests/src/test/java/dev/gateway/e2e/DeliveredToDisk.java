package dev.gateway.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.io.FileUtils;

/**
 * For crash tests of the queue: the gateway's own configuration, except that mail leaving the queue for a local
 * recipient is written to a file mail repository under the working directory instead of the in-memory mailbox. The
 * memory mailbox is wiped by a crash along with everything delivered before it; files on disk are not, so every
 * delivery of every run can be counted. The memory backend also forgets users at a restart, and mail the restarted
 * server takes off the queue before the launcher has re-created the test user would be parked as addressed to an
 * unknown user: that repository is the same file repository, since what is counted is mail coming out of the queue.
 * The queue under test and the rest of the configuration stay as shipped.
 */
final class DeliveredToDisk {

    private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject: (\\S+)\r?$");

    private DeliveredToDisk() {
    }

    /** A copy of server-config/ in a temporary folder with local delivery to {@code file://var/mail/delivered/}. */
    static Path configuration(Path source) throws IOException {
        Path copy = Files.createTempDirectory("gateway-conf-");
        FileUtils.copyDirectory(source.resolve("server-config").toFile(), copy.toFile());
        replace(copy.resolve("mailrepositorystore.xml"), "    </mailrepositories>", """
                    <mailrepository class="org.apache.james.mailrepository.file.FileMailRepository">
                        <protocols>
                            <protocol>file</protocol>
                        </protocols>
                        <config FIFO="false" CACHEKEYS="true"/>
                    </mailrepository>
                </mailrepositories>""");
        replace(copy.resolve("mailetcontainer.xml"), "<mailet match=\"All\" class=\"LocalDelivery\"/>", """
            <mailet match="All" class="ToRepository">
                            <repositoryPath>file://var/mail/delivered/</repositoryPath>
                        </mailet>""");
        replace(copy.resolve("mailetcontainer.xml"), "<repositoryPath>repository://var/mail/address-error/</repositoryPath>",
            "<repositoryPath>file://var/mail/delivered/</repositoryPath>");
        return copy;
    }

    /** One message written to the delivered repository: its subject and when (file time, ms since the epoch). */
    record Delivery(String subject, long at) {
    }

    /** Every message delivered to the working directory's file repository. */
    static List<Delivery> deliveries(Path home) throws IOException {
        Path delivered = home.resolve("var/mail/delivered");
        List<Delivery> deliveries = new ArrayList<>();
        if (!Files.isDirectory(delivered)) {
            return deliveries;
        }
        try (Stream<Path> files = Files.list(delivered)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".FileStreamStore")).toList()) {
                Matcher subject = SUBJECT.matcher(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                if (subject.find()) {
                    deliveries.add(new Delivery(subject.group(1), Files.getLastModifiedTime(file).toMillis()));
                }
            }
        }
        return deliveries;
    }

    /** How many times each subject was delivered to the working directory's file repository. */
    static Map<String, Integer> subjects(Path home) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        deliveries(home).forEach(delivery -> counts.merge(delivery.subject(), 1, Integer::sum));
        return counts;
    }

    private static void replace(Path file, String target, String replacement) throws IOException {
        String content = Files.readString(file);
        if (!content.contains(target)) {
            throw new IllegalStateException(file + " no longer contains " + target + ": update this test helper");
        }
        Files.writeString(file, content.replace(target, replacement));
    }
}
