/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.config.Config;
import io.opentelemetry.exporter.internal.FailedExportException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS settings as OtlpSettings resolves them, and how TLS failures are told. */
class CollectorTlsTest {

  private static final String HTTPS = "https://collector.example.com:4318";

  @TempDir static Path dir;
  private static SelfSignedCertificate certificate;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certificate = SelfSignedCertificate.generate(dir);
  }

  /** A config read from environment variables only, given as name, value, name, value... */
  private static Config env(String... keyValues) {
    Map<String, String> environment = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      environment.put(keyValues[i], keyValues[i + 1]);
    }
    return Config.create(null, new Properties(), environment);
  }

  private static Path file(String name, String content) throws Exception {
    return Files.write(dir.resolve(name), content.getBytes(US_ASCII));
  }

  /** What {@link OtlpSettings#configureTls} hands a builder: trusted, key, chain. */
  private static List<byte[]> configured(OtlpSettings settings) {
    List<byte[]> handed = new ArrayList<>();
    settings.configureTls(
        handed::add,
        (key, chain) -> {
          handed.add(key);
          handed.add(chain);
        });
    return handed;
  }

  @Test
  void httpsWithoutSettingsUsesTheJvmTrustStoreAndNoClientCertificate() {
    OtlpSettings traces = OtlpSettings.resolve(env("OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS), "traces");

    assertThat(traces.unusableTls()).isNull();
    assertThat(traces.tls()).isNotNull();
    assertThat(configured(traces)).isEmpty();
  }

  @Test
  void plainHttpHasNoTls() {
    OtlpSettings traces = OtlpSettings.resolve(env(), "traces");

    assertThat(traces.unusableTls()).isNull();
    assertThat(traces.tls()).isNull();
  }

  @Test
  void handsTheFilesToTheExporter() throws Exception {
    OtlpSettings traces =
        OtlpSettings.resolve(
            env(
                "OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS,
                "OTEL_EXPORTER_OTLP_CERTIFICATE", certificate.certificatePem().toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_KEY", certificate.privateKeyPem().toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate.certificatePem().toString()),
            "traces");

    assertThat(traces.unusableTls()).isNull();
    byte[] pem = Files.readAllBytes(certificate.certificatePem());
    assertThat(configured(traces))
        .containsExactly(pem, Files.readAllBytes(certificate.privateKeyPem()), pem);
  }

  @Test
  void signalSpecificFileWinsOverTheSharedOne() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            HTTPS,
            "OTEL_EXPORTER_OTLP_CERTIFICATE",
            "/no/such/ca.pem",
            "OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE",
            certificate.certificatePem().toString());

    assertThat(OtlpSettings.resolve(config, "metrics").unusableTls()).isNull();
    assertThat(OtlpSettings.resolve(config, "traces").unusableTls())
        .contains("environment variable OTEL_EXPORTER_OTLP_CERTIFICATE names /no/such/ca.pem");
  }

  @Test
  void missingFileNamesTheSettingTheFileAndTheFix() {
    OtlpSettings traces =
        OtlpSettings.resolve(
            env(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                HTTPS,
                "OTEL_EXPORTER_OTLP_CERTIFICATE",
                "/no/such/ca.pem"),
            "traces");

    assertThat(traces.tls()).isNull();
    assertThat(traces.unusableTls())
        .isEqualTo(
            "environment variable OTEL_EXPORTER_OTLP_CERTIFICATE names /no/such/ca.pem, which does"
                + " not exist; set it to the PEM file of the CA certificate(s) that signed the"
                + " collector's certificate");
  }

  @Test
  void relativePathIsShownResolved() {
    OtlpSettings traces =
        OtlpSettings.resolve(
            env(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                HTTPS,
                "OTEL_EXPORTER_OTLP_CLIENT_KEY",
                "certs/key.pem",
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
                certificate.certificatePem().toString()),
            "traces");

    assertThat(traces.unusableTls())
        .contains(
            "names certs/key.pem ("
                + Path.of("certs/key.pem").toAbsolutePath()
                + "), which does"
                + " not exist; set it to the PEM file of the agent's private key");
  }

  @Test
  void directoryIsNotAFile() {
    assertThat(unusable("OTEL_EXPORTER_OTLP_CERTIFICATE", dir.toString()))
        .contains("names " + dir + ", which is not a file; set it to the PEM file");
  }

  @Test
  void emptyCertificateFileHoldsNoCertificate() throws Exception {
    Path empty = file("empty.pem", "");

    assertThat(unusable("OTEL_EXPORTER_OTLP_CERTIFICATE", empty.toString()))
        .contains(
            "names "
                + empty
                + ", which holds no certificate (-----BEGIN CERTIFICATE-----); set it");
  }

  @Test
  void garbageIsNoCertificate() throws Exception {
    Path garbage = file("garbage.pem", "not a certificate\n");

    assertThat(unusable("OTEL_EXPORTER_OTLP_CERTIFICATE", garbage.toString()))
        .contains("names " + garbage + ", which holds no readable X.509 certificate (");
  }

  /** The shared TLS settings, with an https endpoint, plus one more variable. */
  private static String unusable(String variable, String value) {
    return OtlpSettings.resolve(
            env("OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS, variable, value), "traces")
        .unusableTls();
  }

  private static String unusableClientKey(Path key) {
    return OtlpSettings.resolve(
            env(
                "OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS,
                "OTEL_EXPORTER_OTLP_CLIENT_KEY", key.toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate.certificatePem().toString()),
            "traces")
        .unusableTls();
  }

  @Test
  void keyInAnotherFormSaysHowToConvertIt() throws Exception {
    Path rsa =
        file(
            "rsa-key.pem",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

    assertThat(unusableClientKey(rsa))
        .isEqualTo(
            "environment variable OTEL_EXPORTER_OTLP_CLIENT_KEY names "
                + rsa
                + ", which holds a private key in another form than unencrypted PKCS#8"
                + " (-----BEGIN PRIVATE KEY-----); convert it with: openssl pkey -in "
                + rsa
                + " -out key.pem; set it to the PEM file of the agent's private key, unencrypted"
                + " PKCS#8 (-----BEGIN PRIVATE KEY-----)");
  }

  @Test
  void certificateGivenAsKeyIsNoPrivateKey() {
    assertThat(unusableClientKey(certificate.certificatePem()))
        .contains("which holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  @Test
  void unreadableKeyIsNamedWithTheExportersReason() throws Exception {
    Path broken =
        file("broken-key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

    assertThat(unusableClientKey(broken))
        .contains("names " + broken + ", which holds no RSA or EC private key that the agent can");
  }

  @Test
  void keyAfterOpensslBagAttributesIsAccepted() throws Exception {
    Path withAttributes =
        file(
            "bag-key.pem",
            "Bag Attributes\n    localKeyID: 01\nKey Attributes: <No Attributes>\n"
                + Files.readString(certificate.privateKeyPem()));

    OtlpSettings traces =
        OtlpSettings.resolve(
            env(
                "OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS,
                "OTEL_EXPORTER_OTLP_CLIENT_KEY", withAttributes.toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate.certificatePem().toString()),
            "traces");

    assertThat(traces.unusableTls()).isNull();
    assertThat(configured(traces).get(0))
        .isEqualTo(Files.readAllBytes(certificate.privateKeyPem()));
  }

  @Test
  void keyWithoutCertificateChainIsRefused() {
    assertThat(unusable("OTEL_EXPORTER_OTLP_CLIENT_KEY", certificate.privateKeyPem().toString()))
        .isEqualTo(
            "environment variable OTEL_EXPORTER_OTLP_CLIENT_KEY is set, but"
                + " OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE is not: a client certificate needs both"
                + " its private key and its certificate chain; set both, or neither");
  }

  @Test
  void certificateChainWithoutKeyIsRefused() {
    assertThat(
            unusable(
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate.certificatePem().toString()))
        .startsWith(
            "environment variable OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE is set, but"
                + " OTEL_EXPORTER_OTLP_CLIENT_KEY is not");
  }

  @Test
  void tlsSettingsWithAPlainHttpEndpointAreRefused() {
    OtlpSettings traces =
        OtlpSettings.resolve(
            env("OTEL_EXPORTER_OTLP_CERTIFICATE", certificate.certificatePem().toString()),
            "traces");

    assertThat(traces.unusableTls())
        .isEqualTo(
            "environment variable OTEL_EXPORTER_OTLP_CERTIFICATE is set, but the endpoint"
                + " http://localhost:4318/v1/traces is not https://, so exports would go in clear"
                + " text; set the endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) to the collector's"
                + " https:// URL");
  }

  @Test
  void systemPropertyIsNamedAsSuch() {
    Properties properties = new Properties();
    properties.setProperty("otel.exporter.otlp.endpoint", HTTPS);
    properties.setProperty("otel.exporter.otlp.traces.certificate", "/no/such/ca.pem");
    Config config = Config.create(null, properties, Map.of());

    assertThat(OtlpSettings.resolve(config, "traces").unusableTls())
        .startsWith("system property otel.exporter.otlp.traces.certificate names /no/such/ca.pem");
    assertThat(OtlpSettings.resolve(config, "metrics").unusableTls()).isNull();
  }

  private static CollectorTls tls(String... keyValues) {
    List<String> settings = new ArrayList<>(List.of("OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS));
    settings.addAll(List.of(keyValues));
    return OtlpSettings.resolve(env(settings.toArray(new String[0])), "traces").tls();
  }

  /** As the JDK reports a receiver certificate that no trusted CA signed. */
  private static Exception untrusted() {
    CertificateException validation =
        new CertificateException(
            "PKIX path building failed",
            new CertPathBuilderException("unable to find valid certification path"));
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
    handshake.initCause(validation);
    return FailedExportException.httpFailedExceptionally(handshake);
  }

  @Test
  void untrustedReceiverWithTheJvmTrustStore() {
    CollectorTls.Explanation explanation = tls().explain(untrusted());

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver's certificate is not trusted: no CA certificate in the JVM's trust store"
                + " signed it");
    assertThat(explanation.fix)
        .isEqualTo(
            "set OTEL_EXPORTER_OTLP_CERTIFICATE to the PEM file of the CA certificate that signed"
                + " the receiver's certificate, or add that CA to the JVM's trust store");
  }

  @Test
  void untrustedReceiverWithAConfiguredCa() {
    String ca = certificate.certificatePem().toString();

    CollectorTls.Explanation explanation =
        tls("OTEL_EXPORTER_OTLP_CERTIFICATE", ca).explain(untrusted());

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver's certificate is not trusted: no CA certificate in "
                + ca
                + " (environment variable OTEL_EXPORTER_OTLP_CERTIFICATE) signed it");
    assertThat(explanation.fix)
        .isEqualTo(
            "set environment variable OTEL_EXPORTER_OTLP_CERTIFICATE to the PEM file of the CA"
                + " certificate that signed the receiver's certificate");
  }

  @Test
  void certificateForAnotherHost() {
    SSLHandshakeException handshake =
        new SSLHandshakeException("No subject alternative names matching IP address 10.0.0.1");
    handshake.initCause(new CertificateException("No subject alternative names"));

    CollectorTls.Explanation explanation = tls().explain(handshake);

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver's certificate is not accepted (No subject alternative names matching IP"
                + " address 10.0.0.1)");
    assertThat(explanation.fix).contains("host is one that the receiver's certificate names");
  }

  @Test
  void handshakeEndedByTheReceiverSuggestsAClientCertificate() {
    CollectorTls.Explanation explanation =
        tls().explain(new SSLHandshakeException("Received fatal alert: certificate_required"));

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver ended the TLS handshake (Received fatal alert: certificate_required)");
    assertThat(explanation.fix)
        .isEqualTo(
            "if the receiver requires client certificates, set OTEL_EXPORTER_OTLP_CLIENT_KEY and"
                + " OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE to the agent's private key and"
                + " certificate, signed by a CA that the receiver trusts");
  }

  @Test
  void handshakeEndedByTheReceiverDespiteAClientCertificate() {
    String chain = certificate.certificatePem().toString();
    CollectorTls tls =
        tls(
            "OTEL_EXPORTER_OTLP_CLIENT_KEY",
            certificate.privateKeyPem().toString(),
            "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
            chain);

    assertThat(tls.explain(new SSLHandshakeException("Received fatal alert: bad_certificate")).fix)
        .isEqualTo(
            "check that the receiver trusts the CA that signed "
                + chain
                + " (environment variable OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE)");
  }

  @Test
  void otherFailuresAreNotTlsFailures() {
    assertThat(tls().explain(new ConnectException("Connection refused"))).isNull();
  }
}
