/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for a test by the JDK's {@code keytool} (no library beyond the JDK),
 * which issues {@link TlsIdentity TLS identities} for receivers and clients. Everything is written
 * into the directory it is given, as the files a user would configure: PEM certificates, PKCS#8
 * private keys, and a PKCS#12 trust store.
 */
public final class CertificateAuthority {

  /** Of every key store written here: they guard nothing but test keys. */
  static final String PASSWORD = "changeit";

  private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final String alias;
  private final Path keyStore;
  private final X509Certificate certificate;
  private final Path certificatePem;
  private final Path trustStore;

  private CertificateAuthority(
      Path dir,
      String alias,
      Path keyStore,
      X509Certificate certificate,
      Path certificatePem,
      Path trustStore) {
    this.dir = dir;
    this.alias = alias;
    this.keyStore = keyStore;
    this.certificate = certificate;
    this.certificatePem = certificatePem;
    this.trustStore = trustStore;
  }

  /**
   * A new CA, {@code CN=<name>}, valid for two days.
   *
   * @param dir where its files go; shared with other CAs, the file names are kept apart by name
   */
  public static CertificateAuthority create(Path dir, String name)
      throws IOException, GeneralSecurityException {
    String alias = alias(name);
    Path keyStore = dir.resolve(alias + ".p12");
    keytool(keyStore, alias, "-genkeypair", "-dname", "CN=" + name, "-ext", "bc:c");
    X509Certificate certificate = (X509Certificate) load(keyStore).getCertificate(alias);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry(alias, certificate);
    Path trustStore = dir.resolve(alias + "-truststore.p12");
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      trusted.store(out, PASSWORD.toCharArray());
    }
    return new CertificateAuthority(
        dir,
        alias,
        keyStore,
        certificate,
        writePem(dir.resolve(alias + ".pem"), List.of(certificate)),
        trustStore);
  }

  /**
   * A key pair and a certificate for it, {@code CN=<name>}, signed by this CA.
   *
   * @param subjectAlternativeName e.g. {@code ip:127.0.0.1} for a receiver; null for a client
   */
  public TlsIdentity issue(String name, String subjectAlternativeName)
      throws IOException, GeneralSecurityException {
    String subject = alias(name);
    Path identityStore = dir.resolve(subject + ".p12");
    keytool(identityStore, subject, "-genkeypair", "-dname", "CN=" + name);
    Path request = dir.resolve(subject + ".csr");
    keytool(identityStore, subject, "-certreq", "-file", request.toString());
    Path signed = dir.resolve(subject + "-signed.pem");
    List<String> signing =
        new ArrayList<>(
            List.of(
                "-gencert", "-infile", request.toString(), "-outfile", signed.toString(), "-rfc"));
    if (subjectAlternativeName != null) {
      Collections.addAll(signing, "-ext", "SAN=" + subjectAlternativeName);
    }
    keytool(keyStore, alias, signing.toArray(new String[0]));
    X509Certificate leaf;
    try (InputStream in = Files.newInputStream(signed)) {
      leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    List<X509Certificate> chain = List.of(leaf, certificate);
    PrivateKey key = (PrivateKey) load(identityStore).getKey(subject, PASSWORD.toCharArray());
    return new TlsIdentity(
        key,
        chain,
        writePrivateKeyPem(dir.resolve(subject + "-key.pem"), key),
        writePem(dir.resolve(subject + "-chain.pem"), chain));
  }

  /** The CA's own certificate, {@code -----BEGIN CERTIFICATE-----}: what the agent is to trust. */
  public Path certificatePem() {
    return certificatePem;
  }

  X509Certificate certificate() {
    return certificate;
  }

  /** A PKCS#12 trust store holding this CA alone, password {@code changeit}. */
  public Path trustStore() {
    return trustStore;
  }

  public static String trustStorePassword() {
    return PASSWORD;
  }

  private static String alias(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }

  /**
   * Runs keytool on one entry of a key store, EC keys in PKCS#12 stores, valid two days; fails with
   * keytool's output.
   */
  private static void keytool(Path keyStore, String alias, String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    Collections.addAll(command, arguments);
    Collections.addAll(command, "-keystore", keyStore.toString(), "-alias", alias);
    if (arguments[0].equals("-genkeypair")) {
      Collections.addAll(command, "-keyalg", "EC", "-storetype", "PKCS12", "-validity", "2");
    }
    Collections.addAll(command, "-storepass", PASSWORD);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), UTF_8);
      if (!process.waitFor(KEYTOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          || process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    } finally {
      process.destroyForcibly();
    }
  }

  private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static Path writePem(Path file, List<X509Certificate> certificates)
      throws IOException, GeneralSecurityException {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      pem.append(pem("CERTIFICATE", certificate.getEncoded()));
    }
    return Files.writeString(file, pem, US_ASCII);
  }

  /** PKCS#8, unencrypted: the form the OTLP exporter reads. */
  private static Path writePrivateKeyPem(Path file, PrivateKey key) throws IOException {
    return Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()), US_ASCII);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
