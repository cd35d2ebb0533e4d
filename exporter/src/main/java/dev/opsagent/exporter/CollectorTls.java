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
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.function.BiConsumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

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

  private static final String CLIENT_FIX =
      "set OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE to the agent's"
          + " private key and certificate chain, signed by a CA that the receiver trusts";

  /** The file of the CA certificates to trust, for messages; null: the JVM's trust store. */
  private final PemFile trustedCertificates;

  /** Trusts the CA certificates of that file; null: the JVM's trust store, loaded when needed. */
  private final X509TrustManager trustManager;

  /** The file of the agent's certificate chain, for messages; null: none. */
  private final PemFile clientCertificate;

  private final ClientAuthentication clientAuthentication;

  private CollectorTls(
      PemFile trustedCertificates,
      X509TrustManager trustManager,
      PemFile clientCertificate,
      ClientAuthentication clientAuthentication) {
    this.trustedCertificates = trustedCertificates;
    this.trustManager = trustManager;
    this.clientCertificate = clientCertificate;
    this.clientAuthentication = clientAuthentication;
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
    X509TrustManager trustManager = trusted == null ? null : trusted.trustManager();
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
    X509KeyManager keyManager = chain == null ? null : key.keyManager(chain);
    return new CollectorTls(trusted, trustManager, chain, new ClientAuthentication(keyManager));
  }

  /**
   * Hands the TLS to an OTLP exporter's builder ({@code setSslContext}): the configured CA
   * certificates or the JVM's trust store, and the configured client certificate, if any.
   *
   * @throws IllegalStateException if the JVM's TLS cannot be set up (no TLS provider)
   */
  void configure(BiConsumer<SSLContext, X509TrustManager> sslContext) {
    try {
      X509TrustManager trust = trustManager != null ? trustManager : TlsUtil.defaultTrustManager();
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {clientAuthentication}, new TrustManager[] {trust}, null);
      sslContext.accept(context, trust);
    } catch (GeneralSecurityException | SSLException e) {
      throw new IllegalStateException("cannot set up TLS to the collector: " + e, e);
    }
  }

  ClientAuthentication clientAuthentication() {
    return clientAuthentication;
  }

  /**
   * What an export's failure means for the operator, if TLS caused it: the receiver's certificate
   * is not trusted or not valid for the endpoint, the receiver asked for a client certificate that
   * the agent does not have, or it refused the one presented.
   *
   * @return null if the failure is not a TLS failure
   */
  Explanation explain(Throwable failure) {
    SSLException tls = find(failure, SSLException.class);
    if (tls != null && find(tls, CertPathBuilderException.class) != null) {
      String trust =
          trustedCertificates == null ? "the JVM's trust store" : trustedCertificates.described();
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
    if (tls != null && find(tls, CertificateException.class) != null) {
      return new Explanation(
          "the receiver's certificate is not accepted (" + tls.getMessage() + ")",
          "check that the endpoint's host is one that the receiver's certificate names, and that"
              + " the certificate is valid today");
    }
    // After the connection was made, a receiver that asked in vain for a client certificate may
    // end it with an alert, or close it before any answer.
    IOException connected =
        find(failure, ConnectException.class) == null
                && find(failure, UnknownHostException.class) == null
            ? find(failure, IOException.class)
            : null;
    if (connected != null && clientAuthentication.requestedWithoutCertificate()) {
      return new Explanation(
          clientCertificate == null
              ? "the receiver asks for a client certificate, and none is configured ("
                  + connected.getMessage()
                  + ")"
              : "the receiver asks for a client certificate from a CA that did not sign "
                  + clientCertificate.described()
                  + " ("
                  + connected.getMessage()
                  + ")",
          clientCertificate == null
              ? CLIENT_FIX
              : "set " + clientCertificate.setting + " to a certificate that the receiver trusts");
    }
    if (tls == null) {
      return null;
    }
    if (clientAuthentication.presented()) {
      return new Explanation(
          "the receiver ended the TLS handshake after the agent presented its client certificate"
              + " from "
              + clientCertificate.described()
              + " ("
              + tls.getMessage()
              + ")",
          "check that the receiver trusts the CA that signed it, that it is valid today, and that"
              + " it belongs to the configured private key");
    }
    return new Explanation(
        "the TLS handshake with the receiver failed (" + tls.getMessage() + ")",
        "check that the receiver serves TLS at that address");
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
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

    /** The file and the setting that names it, for messages. */
    String described() {
      return path + " (" + setting + ")";
    }

    /** At least one X.509 certificate, in PEM. */
    private void checkCertificates(String fix) throws Unusable {
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

    /** Trusts the CA certificates of this file, and only them. */
    X509TrustManager trustManager() throws Unusable {
      checkCertificates(TRUST_FIX);
      try {
        return TlsUtil.trustManager(content);
      } catch (SSLException e) {
        throw unusable("cannot serve as a trust store (" + e.getMessage() + ")", TRUST_FIX);
      }
    }

    /**
     * Presents this PKCS#8 private key with the certificate chain of {@code chain}, read as the
     * OTLP exporter reads them; text before the key (the "Bag Attributes" that {@code openssl
     * pkcs12} writes) is left out.
     */
    X509KeyManager keyManager(PemFile chain) throws Unusable {
      chain.checkCertificates(CHAIN_FIX);
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
      try {
        return TlsUtil.keyManager(text.substring(start).getBytes(US_ASCII), chain.content);
      } catch (SSLException | RuntimeException e) {
        throw unusable(
            "holds no RSA or EC private key that the agent can read (" + e + ")", KEY_FIX);
      }
    }
  }
}
