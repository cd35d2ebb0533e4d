/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.config.Config;
import io.opentelemetry.exporter.internal.FailedExportException;
import java.io.IOException;
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
import javax.net.ssl.X509TrustManager;
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

  /** The trust manager that {@link OtlpSettings#configureTls} hands a builder with its context. */
  private static X509TrustManager configuredTrust(OtlpSettings settings) {
    List<X509TrustManager> handed = new ArrayList<>();
    settings.configureTls(
        (context, trust) -> {
          assertThat(context.getProtocol()).isEqualTo("TLS");
          handed.add(trust);
        });
    assertThat(handed).hasSize(1);
    return handed.get(0);
  }

  /** The subject of the certificate that the agent presents when a receiver asks for an EC one. */
  private static String presented(OtlpSettings settings) {
    ClientAuthentication client = settings.tls().clientAuthentication();
    String alias = client.chooseEngineClientAlias(new String[] {"EC"}, null, null);
    return alias == null
        ? "none"
        : client.getCertificateChain(alias)[0].getSubjectX500Principal().getName();
  }

  @Test
  void httpsWithoutSettingsUsesTheJvmTrustStoreAndNoClientCertificate() {
    OtlpSettings traces = OtlpSettings.resolve(env("OTEL_EXPORTER_OTLP_ENDPOINT", HTTPS), "traces");

    assertThat(traces.unusableTls()).isNull();
    assertThat(configuredTrust(traces).getAcceptedIssuers()).as("the JVM's CAs").isNotEmpty();
    assertThat(presented(traces)).isEqualTo("none");
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
    assertThat(configuredTrust(traces).getAcceptedIssuers())
        .extracting(ca -> ca.getSubjectX500Principal().getName())
        .containsExactly("CN=localhost");
    assertThat(presented(traces)).isEqualTo("CN=localhost");
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
    assertThat(presented(traces)).isEqualTo("CN=localhost");
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

  /** As a receiver that asked for a client certificate ends the handshake with an alert. */
  private static final SSLHandshakeException ALERT =
      new SSLHandshakeException("Received fatal alert: certificate_required");

  @Test
  void receiverThatAskedForAClientCertificateWhereNoneIsConfigured() {
    CollectorTls tls = tls();
    tls.clientAuthentication().chooseEngineClientAlias(new String[] {"EC"}, null, null);

    CollectorTls.Explanation explanation = tls.explain(ALERT);

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver asks for a client certificate, and none is configured (Received fatal"
                + " alert: certificate_required)");
    assertThat(explanation.fix)
        .isEqualTo(
            "set OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE to the"
                + " agent's private key and certificate chain, signed by a CA that the receiver"
                + " trusts");
    // A receiver of TLS 1.3 may close the connection instead, once the client waits for its answer.
    assertThat(tls.explain(new IOException("HTTP/1.1 header parser received no bytes")).reason)
        .isEqualTo(
            "the receiver asks for a client certificate, and none is configured (HTTP/1.1 header"
                + " parser received no bytes)");
    assertThat(tls.explain(new ConnectException("Connection refused")))
        .as("no connection: nothing to do with TLS")
        .isNull();
  }

  private static CollectorTls withClientCertificate() {
    return tls(
        "OTEL_EXPORTER_OTLP_CLIENT_KEY", certificate.privateKeyPem().toString(),
        "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate.certificatePem().toString());
  }

  @Test
  void receiverThatAskedForAClientCertificateOfAnotherKind() {
    CollectorTls tls = withClientCertificate();
    // The key is EC.
    tls.clientAuthentication().chooseEngineClientAlias(new String[] {"RSA"}, null, null);

    CollectorTls.Explanation explanation = tls.explain(ALERT);

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver asks for a client certificate from a CA that did not sign "
                + certificate.certificatePem()
                + " (environment variable OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE) (Received fatal"
                + " alert: certificate_required)");
    assertThat(explanation.fix)
        .isEqualTo(
            "set environment variable OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE to a certificate that"
                + " the receiver trusts");
  }

  @Test
  void receiverThatRefusedThePresentedClientCertificate() {
    CollectorTls tls = withClientCertificate();
    tls.clientAuthentication().chooseEngineClientAlias(new String[] {"EC"}, null, null);

    CollectorTls.Explanation explanation =
        tls.explain(new SSLHandshakeException("Received fatal alert: bad_certificate"));

    assertThat(explanation.reason)
        .isEqualTo(
            "the receiver ended the TLS handshake after the agent presented its client certificate"
                + " from "
                + certificate.certificatePem()
                + " (environment variable OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE) (Received fatal"
                + " alert: bad_certificate)");
    assertThat(explanation.fix).startsWith("check that the receiver trusts the CA that signed it");
  }

  @Test
  void otherHandshakeFailure() {
    CollectorTls.Explanation explanation =
        tls().explain(new SSLHandshakeException("Remote host terminated the handshake"));

    assertThat(explanation.reason)
        .isEqualTo(
            "the TLS handshake with the receiver failed (Remote host terminated the handshake)");
    assertThat(explanation.fix).isEqualTo("check that the receiver serves TLS at that address");
  }

  @Test
  void otherFailuresAreNotTlsFailures() {
    assertThat(tls().explain(new ConnectException("Connection refused"))).isNull();
  }
}
