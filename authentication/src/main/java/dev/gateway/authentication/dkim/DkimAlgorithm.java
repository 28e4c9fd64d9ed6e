package dev.gateway.authentication.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The signing algorithms of RFC 6376 and RFC 8463. rsa-sha1 is verified so that it can be reported, but RFC 8301
 * forbids treating it as valid.
 */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa", "SHA-256"),
    RSA_SHA1("rsa-sha1", "rsa", "SHA-1"),
    ED25519_SHA256("ed25519-sha256", "ed25519", "SHA-256");

    /** The DER prefix turning a raw 32-byte Ed25519 key (RFC 8463's p=) into a SubjectPublicKeyInfo. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final String tag;
    private final String keyType;
    private final String digest;

    DkimAlgorithm(String tag, String keyType, String digest) {
        this.tag = tag;
        this.keyType = keyType;
        this.digest = digest;
    }

    public String tag() {
        return tag;
    }

    public String keyType() {
        return keyType;
    }

    static DkimAlgorithm parse(String tag) throws DkimException {
        for (DkimAlgorithm algorithm : values()) {
            if (algorithm.tag.equalsIgnoreCase(tag.strip())) {
                return algorithm;
            }
        }
        throw DkimException.permanent("unsupported algorithm a=" + tag);
    }

    /** The hash algorithm name of h= in key records (sha1, sha256). */
    String hashName() {
        return digest.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    }

    byte[] digest(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance(digest).digest(data);
    }

    PublicKey publicKey(byte[] p) throws GeneralSecurityException {
        if (this == ED25519_SHA256) {
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + p.length);
            System.arraycopy(p, 0, spki, ED25519_SPKI_PREFIX.length, p.length);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        }
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p));
    }

    boolean verify(PublicKey key, byte[] data, byte[] signature) throws GeneralSecurityException {
        Signature verifier = signatureInstance();
        verifier.initVerify(key);
        verifier.update(signedBytes(data));
        return verifier.verify(signature);
    }

    byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature signer = signatureInstance();
        signer.initSign(key);
        signer.update(signedBytes(data));
        return signer.sign();
    }

    private Signature signatureInstance() throws GeneralSecurityException {
        return switch (this) {
            case RSA_SHA256 -> Signature.getInstance("SHA256withRSA");
            case RSA_SHA1 -> Signature.getInstance("SHA1withRSA");
            case ED25519_SHA256 -> Signature.getInstance("Ed25519");
        };
    }

    /** RFC 8463 section 3: Ed25519 signs the SHA-256 hash of the header data; RSA's PKCS#1 hashes it itself. */
    private byte[] signedBytes(byte[] data) throws GeneralSecurityException {
        return this == ED25519_SHA256 ? digest(data) : data;
    }
}
