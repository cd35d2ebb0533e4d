/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A private key and its certificate chain, issued by a {@link CertificateAuthority}: a receiver's
 * server identity, or the agent's client certificate, with the PEM files a user would configure.
 */
public final class TlsIdentity {

  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;
  private final Path privateKeyPem;
  private final Path certificateChainPem;

  TlsIdentity(
      PrivateKey privateKey,
      List<X509Certificate> chain,
      Path privateKeyPem,
      Path certificateChainPem) {
    this.privateKey = privateKey;
    this.chain = chain;
    this.privateKeyPem = privateKeyPem;
    this.certificateChainPem = certificateChainPem;
  }

  /** The private key, unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}). */
  public Path privateKeyPem() {
    return privateKeyPem;
  }

  /** The certificate, then the CA's. */
  public Path certificateChainPem() {
    return certificateChainPem;
  }

  /** The certificate's subject, e.g. {@code CN=opsagent client}. */
  public String subject() {
    return chain.get(0).getSubjectX500Principal().getName();
  }

  /** For a receiver's TLS: this key and chain, nothing else. */
  KeyManagerFactory keyManagers() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = CertificateAuthority.PASSWORD.toCharArray();
    store.setKeyEntry("identity", privateKey, password, chain.toArray(new X509Certificate[0]));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    return factory;
  }
}
