/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.opsagent.config.Config;
import io.opentelemetry.exporter.internal.TlsUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The TLS of one signal's connection to an {@code https://} collector, from the standard settings:
 * the CA certificates to trust instead of the JVM's trust store ({@code
 * OTEL_EXPORTER_OTLP_CERTIFICATE}), and the agent's private key and certificate chain for mutual
 * TLS ({@code OTEL_EXPORTER_OTLP_CLIENT_KEY}, {@code OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE}).
 *
 * <p>The files are read and checked once, at start-up. One that cannot be used makes the signal's
 * export {@link Unusable}: the agent then sends nothing rather than send without the TLS it was
 * asked for (in clear text, or to a collector it cannot verify).
 */
final class CollectorTls {

  static final String CERTIFICATE = "certificate";
  static final String CLIENT_KEY = "client.key";
  static final String CLIENT_CERTIFICATE = "client.certificate";

  private static final String KEY_HEADER = "-----BEGIN PRIVATE KEY-----";
  private static final String TRUST_FIX =
      "set it to the PEM file of the CA certificate(s) that signed the collector's certificate";
  private static final String KEY_FIX =
      "set it to the PEM file of the agent's private key, unencrypted PKCS#8 (" + KEY_HEADER + ")";
  private static final String CHAIN_FIX =
      "set it to the PEM file of the agent's certificate, followed by the CA certificates between"
          + " it and the CA that the collector trusts";

  /** The CA certificates to trust; null: the JVM's trust store. */
  private final PemFile trustedCertificates;

  /** The agent's key and certificate chain; both null without mutual TLS. */
  private final PemFile clientKey;

  private final PemFile clientCertificate;

  private CollectorTls(PemFile trustedCertificates, PemFile clientKey, PemFile clientCertificate) {
    this.trustedCertificates = trustedCertificates;
    this.clientKey = clientKey;
    this.clientCertificate = clientCertificate;
  }

  /**
   * Reads and checks the files that the keys name.
   *
   * @param trustKey the key in effect for {@link #CERTIFICATE}, signal-specific or shared; likewise
   *     {@code keyKey} and {@code chainKey}
   * @return null for an {@code http://} endpoint, which has no TLS
   * @throws Unusable if a file cannot be used, only one of key and certificate chain is set, or TLS
   *     settings come with an {@code http://} endpoint
   */
  static CollectorTls resolve(
      Config config, String endpoint, String trustKey, String keyKey, String chainKey)
      throws Unusable {
    if (!endpoint.regionMatches(true, 0, "https:", 0, "https:".length())) {
      for (String key : new String[] {trustKey, keyKey, chainKey}) {
        if (config.get(key) != null) {
          throw new Unusable(
              config.source(key)
                  + " is set, but the endpoint "
                  + endpoint
                  + " is not https://, so exports would go in clear text; set the endpoint"
                  + " (OTEL_EXPORTER_OTLP_ENDPOINT) to the collector's https:// URL");
        }
      }
      return null;
    }
    PemFile trusted = PemFile.read(config, trustKey, TRUST_FIX);
    if (trusted != null) {
      trusted.checkCertificates(TRUST_FIX);
    }
    PemFile key = PemFile.read(config, keyKey, KEY_FIX);
    PemFile chain = PemFile.read(config, chainKey, CHAIN_FIX);
    if ((key == null) != (chain == null)) {
      String set = key == null ? chainKey : keyKey;
      String missing = key == null ? keyKey : chainKey;
      throw new Unusable(
          config.source(set)
              + " is set, but "
              + Config.environmentName(missing)
              + " is not: a client certificate needs both its private key and its certificate"
              + " chain; set both, or neither");
    }
    if (chain != null) {
      chain.checkCertificates(CHAIN_FIX);
      key = key.checkPrivateKey(chain);
    }
    return new CollectorTls(trusted, key, chain);
  }

  /**
   * Hands the files to an OTLP exporter's builder; with none, the exporter uses the JVM's trust
   * store and no client certificate.
   */
  void configure(Consumer<byte[]> trustedCertificates, BiConsumer<byte[], byte[]> clientTls) {
    if (this.trustedCertificates != null) {
      trustedCertificates.accept(this.trustedCertificates.content);
    }
    if (clientKey != null) {
      clientTls.accept(clientKey.content, clientCertificate.content);
    }
  }

  /**
   * What an export's failure means for the operator, if TLS caused it: the receiver's certificate
   * is not trusted or not valid for the endpoint, or the receiver refused the handshake (usually:
   * it wants a client certificate, or does not trust the one given).
   *
   * @return null if the failure is not a TLS failure
   */
  Explanation explain(Throwable failure) {
    SSLException tls = find(failure, SSLException.class);
    if (tls == null) {
      return null;
    }
    String message = String.valueOf(tls.getMessage());
    if (find(tls, CertPathBuilderException.class) != null) {
      String trust =
          trustedCertificates == null
              ? "the JVM's trust store"
              : trustedCertificates.path + " (" + trustedCertificates.setting + ")";
      return new Explanation(
          "the receiver's certificate is not trusted: no CA certificate in " + trust + " signed it",
          trustedCertificates == null
              ? "set OTEL_EXPORTER_OTLP_CERTIFICATE to the PEM file of the CA certificate that"
                  + " signed the receiver's certificate, or add that CA to the JVM's trust store"
              : "set "
                  + trustedCertificates.setting
                  + " to the PEM file of the CA certificate that signed the receiver's"
                  + " certificate");
    }
    if (find(tls, CertificateException.class) != null) {
      return new Explanation(
          "the receiver's certificate is not accepted (" + message + ")",
          "check that the endpoint's host is one that the receiver's certificate names, and that"
              + " the certificate is valid today");
    }
    if (message.startsWith("Received fatal alert")) {
      return new Explanation(
          "the receiver ended the TLS handshake (" + message + ")",
          clientCertificate == null
              ? "if the receiver requires client certificates, set OTEL_EXPORTER_OTLP_CLIENT_KEY"
                  + " and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE to the agent's private key and"
                  + " certificate, signed by a CA that the receiver trusts"
              : "check that the receiver trusts the CA that signed "
                  + clientCertificate.path
                  + " ("
                  + clientCertificate.setting
                  + ")");
    }
    return new Explanation(
        "the TLS connection failed (" + message + ")",
        "check that the receiver serves TLS at that address");
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  /** A TLS failure in the operator's terms: what happened, and what to do. */
  static final class Explanation {
    final String reason;
    final String fix;

    Explanation(String reason, String fix) {
      this.reason = reason;
      this.fix = fix;
    }
  }

  /** TLS settings that cannot be used; the message names the setting, the file and the fix. */
  static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    Unusable(String message) {
      super(message, null, false, false);
    }
  }

  /** A file that a TLS setting names, read whole. */
  private static final class PemFile {
    /**
     * Where the path came from, e.g. {@code environment variable OTEL_EXPORTER_OTLP_CERTIFICATE}.
     */
    final String setting;

    final String path;
    final byte[] content;

    private PemFile(String setting, String path, byte[] content) {
      this.setting = setting;
      this.path = path;
      this.content = content;
    }

    /**
     * @return null if the key is not set
     */
    static PemFile read(Config config, String key, String fix) throws Unusable {
      String value = config.get(key);
      if (value == null) {
        return null;
      }
      String setting = config.source(key);
      String named = setting + " names " + value;
      Path path;
      try {
        path = Paths.get(value);
      } catch (InvalidPathException e) {
        throw new Unusable(named + ", which is not a file path; " + fix);
      }
      if (!path.isAbsolute()) {
        named += " (" + path.toAbsolutePath() + ")";
      }
      if (!Files.exists(path)) {
        throw new Unusable(named + ", which does not exist; " + fix);
      }
      if (!Files.isRegularFile(path)) {
        throw new Unusable(named + ", which is not a file; " + fix);
      }
      try {
        return new PemFile(setting, value, Files.readAllBytes(path));
      } catch (AccessDeniedException e) {
        throw new Unusable(
            named
                + ", which this JVM's user ("
                + System.getProperty("user.name")
                + ") may not read; make it readable for that user");
      } catch (IOException e) {
        throw new Unusable(named + ", which cannot be read (" + e + "); " + fix);
      }
    }

    private Unusable unusable(String problem, String fix) {
      return new Unusable(setting + " names " + path + ", which " + problem + "; " + fix);
    }

    /** At least one X.509 certificate, in PEM. */
    void checkCertificates(String fix) throws Unusable {
      int count;
      try {
        count =
            CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(content))
                .size();
      } catch (CertificateException e) {
        throw unusable("holds no readable X.509 certificate (" + e.getMessage() + ")", fix);
      }
      if (count == 0) {
        throw unusable("holds no certificate (-----BEGIN CERTIFICATE-----)", fix);
      }
    }

    /**
     * A PKCS#8 private key that the exporter can read, checked the way it reads it; text before the
     * key (the "Bag Attributes" that {@code openssl pkcs12} writes) is left out.
     *
     * @return the key as the exporter takes it
     */
    PemFile checkPrivateKey(PemFile chain) throws Unusable {
      String text = new String(content, US_ASCII);
      int start = text.indexOf(KEY_HEADER);
      if (start < 0) {
        if (text.contains("PRIVATE KEY-----")) {
          throw unusable(
              "holds a private key in another form than unencrypted PKCS#8 ("
                  + KEY_HEADER
                  + "); convert it with: openssl pkey -in "
                  + path
                  + " -out key.pem",
              KEY_FIX);
        }
        throw unusable("holds no PEM private key (" + KEY_HEADER + ")", KEY_FIX);
      }
      byte[] key = text.substring(start).getBytes(US_ASCII);
      try {
        TlsUtil.keyManager(key, chain.content);
      } catch (SSLException | RuntimeException e) {
        throw unusable(
            "holds no RSA or EC private key that the agent can read (" + e + ")", KEY_FIX);
      }
      return new PemFile(setting, path, key);
    }
  }
}
