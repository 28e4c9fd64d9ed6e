package dev.gateway.authentication.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The signing keys: {@code KEYS/DOMAIN/SELECTOR.pem}, PKCS#8 PEM, RSA or Ed25519. A domain signs with the selector
 * named in {@code KEYS/DOMAIN/signing-selector} when that file exists, else with its newest key, so a new selector
 * can be published before it is used (docs/authentication.md, key rotation). Read when first needed and again when
 * the file changes, so keys added while the gateway runs are used without a restart.
 */
public final class DkimKeys {
    static final String SIGNING_SELECTOR = "signing-selector";
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-_.]{0,61}[A-Za-z0-9])?");

    private final Path folder;
    private final Map<Path, Loaded> cache = new ConcurrentHashMap<>();

    private record Loaded(FileTime modified, DkimKey key) {
    }

    public DkimKeys(Path folder) {
        this.folder = folder;
    }

    public Path folder() {
        return folder;
    }

    /** The key a domain signs with, if it has one. */
    public Optional<DkimKey> signingKey(String domain) throws IOException, GeneralSecurityException {
        String name = domain.toLowerCase(Locale.ROOT);
        if (!SELECTOR.matcher(name).matches()) {
            return Optional.empty();
        }
        Path domainFolder = folder.resolve(name);
        if (!Files.isDirectory(domainFolder)) {
            return Optional.empty();
        }
        Path chosen = domainFolder.resolve(SIGNING_SELECTOR);
        Optional<Path> file;
        if (Files.isRegularFile(chosen)) {
            String selector = Files.readString(chosen, StandardCharsets.US_ASCII).strip();
            file = Optional.of(domainFolder.resolve(selector + ".pem")).filter(Files::isRegularFile);
            if (file.isEmpty()) {
                throw new IOException(chosen + " names selector " + selector + ", which has no key file");
            }
        } else {
            file = keyFiles(domainFolder).stream()
                .max(Comparator.comparing(DkimKeys::modified).thenComparing(Path::toString));
        }
        if (file.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(load(name, file.get()));
    }

    /** Every selector of a domain that has a key. */
    public List<String> selectors(String domain) throws IOException {
        Path domainFolder = folder.resolve(domain.toLowerCase(Locale.ROOT));
        if (!Files.isDirectory(domainFolder)) {
            return List.of();
        }
        return keyFiles(domainFolder).stream().map(DkimKeys::selectorOf).sorted().toList();
    }

    /**
     * The key record to publish for a selector: the one {@code dkim keygen} wrote beside the key, or, for an RSA key
     * placed there by hand, derived from it. Empty for a hand-placed Ed25519 key (Java cannot derive its public half).
     */
    public Optional<String> keyRecord(String domain, String selector) throws IOException, GeneralSecurityException {
        Path domainFolder = folder.resolve(domain.toLowerCase(Locale.ROOT));
        Path written = domainFolder.resolve(selector + ".txt");
        if (Files.isRegularFile(written)) {
            Matcher strings = QUOTED.matcher(Files.readString(written, StandardCharsets.US_ASCII));
            StringBuilder record = new StringBuilder();
            while (strings.find()) {
                record.append(strings.group(1));
            }
            if (record.length() > 0) {
                return Optional.of(record.toString());
            }
        }
        PrivateKey key = readPrivateKey(Files.readString(domainFolder.resolve(selector + ".pem"), StandardCharsets.US_ASCII));
        if (key instanceof RSAPrivateCrtKey rsa) {
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            return Optional.of("v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(publicKey.getEncoded()));
        }
        return Optional.empty();
    }

    static boolean validSelector(String selector) {
        return SELECTOR.matcher(selector).matches();
    }

    private static List<Path> keyFiles(Path domainFolder) throws IOException {
        try (Stream<Path> files = Files.list(domainFolder)) {
            return files.filter(path -> path.getFileName().toString().endsWith(".pem"))
                .filter(path -> validSelector(selectorOf(path))).toList();
        }
    }

    private static String selectorOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".pem".length());
    }

    private DkimKey load(String domain, Path file) throws IOException, GeneralSecurityException {
        FileTime modified = Files.getLastModifiedTime(file);
        Loaded loaded = cache.get(file);
        if (loaded != null && loaded.modified().equals(modified)) {
            return loaded.key();
        }
        PrivateKey privateKey = readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
        DkimAlgorithm algorithm = privateKey instanceof RSAPrivateKey ? DkimAlgorithm.RSA_SHA256
            : DkimAlgorithm.ED25519_SHA256;
        DkimKey key = new DkimKey(domain, selectorOf(file), algorithm, privateKey);
        cache.put(file, new Loaded(modified, key));
        return key;
    }

    static PrivateKey readPrivateKey(String pem) throws GeneralSecurityException {
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("Ed25519").generatePrivate(spec);
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
