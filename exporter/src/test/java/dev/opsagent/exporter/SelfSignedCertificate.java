/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A key pair and its self-signed certificate for {@code 127.0.0.1}, made by the JDK's {@code
 * keytool}: as a PKCS#12 key store for a test receiver, and as the PEM files the TLS settings name.
 */
final class SelfSignedCertificate {

  static final String PASSWORD = "changeit";
  private static final String ALIAS = "receiver";

  private final Path keyStore;
  private final Path certificatePem;
  private final Path privateKeyPem;

  private SelfSignedCertificate(Path keyStore, Path certificatePem, Path privateKeyPem) {
    this.keyStore = keyStore;
    this.certificatePem = certificatePem;
    this.privateKeyPem = privateKeyPem;
  }

  /** Writes {@code receiver.p12}, {@code receiver.pem} and {@code receiver-key.pem} into dir. */
  static SelfSignedCertificate generate(Path dir) throws Exception {
    Path keyStore = dir.resolve("receiver.p12");
    keytool(
        keyStore,
        "-genkeypair",
        "-keyalg",
        "EC",
        "-storetype",
        "PKCS12",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2");
    Path certificate = dir.resolve("receiver.pem");
    keytool(keyStore, "-exportcert", "-rfc", "-file", certificate.toString());
    Path key = dir.resolve("receiver-key.pem");
    KeyStore store = load(keyStore);
    byte[] pkcs8 = store.getKey(ALIAS, PASSWORD.toCharArray()).getEncoded();
    Files.write(
        key,
        ("-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n")
            .getBytes(US_ASCII));
    return new SelfSignedCertificate(keyStore, certificate, key);
  }

  /** Runs {@code keytool} on the key store's one entry. */
  private static void keytool(Path keyStore, String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    Collections.addAll(command, arguments);
    Collections.addAll(
        command, "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-alias", ALIAS);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  /** The key and certificate, for a receiver's key manager. */
  KeyStore keyStore() throws Exception {
    return load(keyStore);
  }

  private static KeyStore load(Path path) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    return keys;
  }

  /** The certificate, {@code -----BEGIN CERTIFICATE-----}. */
  Path certificatePem() {
    return certificatePem;
  }

  /** The private key, unencrypted PKCS#8: {@code -----BEGIN PRIVATE KEY-----}. */
  Path privateKeyPem() {
    return privateKeyPem;
  }
}
