package dev.gateway.authentication.dkim;

import java.security.PrivateKey;

/** A signing key: the domain it signs for (d=), its selector (s=), and the private key. */
public record DkimKey(String domain, String selector, DkimAlgorithm algorithm, PrivateKey privateKey) {
}
