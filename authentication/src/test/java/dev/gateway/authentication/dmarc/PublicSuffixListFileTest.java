package dev.gateway.authentication.dmarc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicSuffixListFileTest {
    private static final String LIST = """
        // ===BEGIN ICANN DOMAINS===
        uk
        co.uk
        // a wildcard and its exception, as publicsuffix.org's own test data has them
        ck
        *.ck
        !www.ck
        // an internationalized rule, written in Unicode
        公司.cn
        cn
        // ===BEGIN PRIVATE DOMAINS===
        github.io
        """;

    @TempDir
    Path folder;

    @Test
    void followsThePublicSuffixAlgorithm() throws Exception {
        PublicSuffixes list = new PublicSuffixListFile(Files.writeString(folder.resolve("list.dat"), LIST));
        assertThat(list.organizationalDomain("mail.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(list.organizationalDomain("example.uk")).isEqualTo("example.uk");
        assertThat(list.organizationalDomain("co.uk")).isEqualTo("co.uk");
        // *.ck: every label under ck is a public suffix; !www.ck is the exception.
        assertThat(list.organizationalDomain("a.b.example.ck")).isEqualTo("b.example.ck");
        assertThat(list.organizationalDomain("mail.www.ck")).isEqualTo("www.ck");
        assertThat(list.organizationalDomain("alice.github.io")).isEqualTo("alice.github.io");
        assertThat(list.organizationalDomain("pages.alice.github.io")).isEqualTo("alice.github.io");
        // No rule: the default rule "*", so the last two labels.
        assertThat(list.organizationalDomain("a.b.sender.test")).isEqualTo("sender.test");
        assertThat(list.organizationalDomain("MAIL.Example.CO.UK.")).isEqualTo("example.co.uk");
        // Mail carries A-labels; the rule was written in Unicode.
        assertThat(list.organizationalDomain("mail.example.xn--55qx5d.cn")).isEqualTo("example.xn--55qx5d.cn");
        assertThatThrownBy(() -> list.organizationalDomain("a..example")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void agreesWithTheBuiltInListOnItsRules() throws Exception {
        PublicSuffixes file = new PublicSuffixListFile(Files.writeString(folder.resolve("list.dat"), LIST));
        for (String domain : new String[] {"mail.example.co.uk", "example.uk", "alice.github.io", "a.b.sender.test"}) {
            assertThat(file.organizationalDomain(domain)).as(domain)
                .isEqualTo(PublicSuffixes.builtIn().organizationalDomain(domain));
        }
    }

    @Test
    void aChangedFileIsReadAgainAndAnUnreadableOneKeepsTheRulesBefore() throws Exception {
        Path file = Files.writeString(folder.resolve("list.dat"), LIST);
        AtomicReference<Instant> clock = new AtomicReference<>(Instant.parse("2026-11-30T12:00:00Z"));
        PublicSuffixes list = new PublicSuffixListFile(file, clock::get);
        assertThat(list.organizationalDomain("mail.example.org.test")).isEqualTo("org.test");

        Files.writeString(file, LIST + "org.test\n");
        Files.setLastModifiedTime(file, FileTime.from(clock.get().plusSeconds(5)));
        assertThat(list.organizationalDomain("mail.example.org.test")).as("looked at again only after a minute")
            .isEqualTo("org.test");
        clock.set(clock.get().plus(Duration.ofMinutes(2)));
        assertThat(list.organizationalDomain("mail.example.org.test")).isEqualTo("example.org.test");

        Files.delete(file);
        clock.set(clock.get().plus(Duration.ofMinutes(2)));
        assertThat(list.organizationalDomain("mail.example.org.test")).isEqualTo("example.org.test");
    }

    @Test
    void aListThatWasNeverReadFailsTheLookupInsteadOfGuessing() {
        PublicSuffixes list = new PublicSuffixListFile(folder.resolve("missing.dat"));
        assertThatThrownBy(() -> list.organizationalDomain("example.co.uk"))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing.dat");
    }
}
