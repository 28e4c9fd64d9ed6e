package dev.gateway.authentication.dkim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/gateway dkim keygen DOMAIN [--selector S] [--algorithm rsa|ed25519] [--bits N]}: creates
 * {@code KEYS/DOMAIN/S.pem} (the private key, mode 600) and {@code KEYS/DOMAIN/S.txt} (the record), and prints the
 * TXT record to publish. The first key of a domain signs at once; a later one only once it is named in
 * {@code signing-selector} or is the newest, so publish its record first.
 */
public final class DkimKeygen {
    static final int DEFAULT_RSA_BITS = 2048;

    private DkimKeygen() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(Arrays.asList(args), System.out, System.err));
        } catch (IOException | GeneralSecurityException e) {
            System.err.println("dkim keygen: " + e.getMessage());
            System.exit(1);
        }
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) throws IOException, GeneralSecurityException {
        if (args.isEmpty() || !args.get(0).equals("keygen")) {
            err.println("usage: dkim keygen DOMAIN [--selector S] [--algorithm rsa|ed25519] [--bits N] [--keys DIR]");
            return 2;
        }
        String domain = null;
        String selector = "g" + LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        String algorithm = "rsa";
        int bits = DEFAULT_RSA_BITS;
        Path keys = Path.of(System.getProperty("gateway.dkim.keys", "keys"));
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            if (arg.startsWith("--") && rest.isEmpty()) {
                err.println("dkim keygen: " + arg + " needs a value");
                return 2;
            }
            switch (arg) {
                case "--selector" -> selector = rest.remove(0);
                case "--algorithm" -> algorithm = rest.remove(0).toLowerCase(Locale.ROOT);
                case "--bits" -> bits = Integer.parseInt(rest.remove(0));
                case "--keys" -> keys = Path.of(rest.remove(0));
                default -> {
                    if (arg.startsWith("-") || domain != null) {
                        err.println("dkim keygen: unexpected argument " + arg);
                        return 2;
                    }
                    domain = arg.toLowerCase(Locale.ROOT);
                }
            }
        }
        if (domain == null || !DkimKeys.validSelector(domain) || !domain.contains(".") && !domain.equals("localhost")) {
            err.println("dkim keygen: give a domain name, e.g. dkim keygen example.com");
            return 2;
        }
        if (!DkimKeys.validSelector(selector)) {
            err.println("dkim keygen: selector " + selector + " is not a valid DNS label");
            return 2;
        }
        if (!algorithm.equals("rsa") && !algorithm.equals("ed25519")) {
            err.println("dkim keygen: --algorithm is rsa or ed25519");
            return 2;
        }
        if (algorithm.equals("rsa") && bits < 1024) {
            err.println("dkim keygen: RSA keys under 1024 bits are refused by receivers (RFC 8301)");
            return 2;
        }
        KeyPair pair = generate(algorithm, bits);
        String record = record(algorithm, pair);
        Path folder = keys.resolve(domain);
        Files.createDirectories(folder);
        Path pem = folder.resolve(selector + ".pem");
        try {
            Files.createFile(pem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            err.println("dkim keygen: " + pem + " exists; choose another --selector");
            return 1;
        }
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        String zoneLine = selector + "._domainkey." + domain + ". IN TXT " + quoted(record);
        Files.writeString(folder.resolve(selector + ".txt"), zoneLine + "\n", StandardCharsets.US_ASCII);
        err.println("dkim keygen: wrote " + pem + "; publish this record:");
        out.println(zoneLine);
        return 0;
    }

    static KeyPair generate(String algorithm, int bits) throws GeneralSecurityException {
        if (algorithm.equals("ed25519")) {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    /** The key record: RSA keys as SubjectPublicKeyInfo, Ed25519 keys as the raw 32 bytes (RFC 8463). */
    static String record(String algorithm, KeyPair pair) {
        byte[] encoded = pair.getPublic().getEncoded();
        byte[] p = algorithm.equals("ed25519") ? Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length) : encoded;
        return "v=DKIM1; k=" + algorithm + "; p=" + Base64.getEncoder().encodeToString(p);
    }

    /** A TXT value as zone-file strings of at most 255 characters each (RFC 1035 character-strings). */
    public static String quoted(String value) {
        List<String> parts = new ArrayList<>();
        for (int start = 0; start < value.length(); start += 255) {
            parts.add("\"" + value.substring(start, Math.min(value.length(), start + 255)) + "\"");
        }
        return parts.size() == 1 ? parts.get(0) : "( " + String.join(" ", parts) + " )";
    }
}
