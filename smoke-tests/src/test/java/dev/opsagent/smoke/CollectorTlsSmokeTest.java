package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.QUICK_EXIT;
import static dev.opsagent.smoke.Smoke.agentLinesContaining;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.awaitStarted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.Smoke.Protocol;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.CertificateAuthority;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceiverTls;
import dev.opsagent.smoke.harness.TlsIdentity;
import dev.opsagent.smoke.harness.WireTap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OTLP to a collector over TLS, with certificates made for the test: a CA of its own, mutual TLS,
 * the JVM's trust store, and what happens when the certificates do not fit: one clear line, nothing
 * exported, and never anything in clear text. The agent reaches every receiver through a {@link
 * WireTap}, which keeps what went over the network.
 */
class CollectorTlsSmokeTest {

  /** Sent in every export: on the wire in clear, it would show. */
  private static final String SERVICE_NAME = "tls-smoke-service";

  /** How long a line that must not be repeated, or a connection that must not be made, may take. */
  private static final Duration NO_MORE = Duration.ofSeconds(2);

  @TempDir static Path dir;
  private static CertificateAuthority ca;
  private static TlsIdentity receiver;
  private static TlsIdentity client;

  /** A receiver certificate from a CA that the agent is not told to trust. */
  private static TlsIdentity stranger;

  @BeforeAll
  static void issueCertificates() throws Exception {
    ca = CertificateAuthority.create(dir, "opsagent test CA");
    receiver = ca.issue("receiver", "ip:127.0.0.1");
    client = ca.issue("opsagent client", null);
    stranger = CertificateAuthority.create(dir, "other CA").issue("stranger", "ip:127.0.0.1");
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void exportsToAReceiverSignedByTheConfiguredCa(Protocol protocol) throws Exception {
    exportsOverTls(
        Jdks.current(),
        protocol,
        ReceiverTls.serving(receiver),
        app -> app.env("OTEL_EXPORTER_OTLP_CERTIFICATE", ca.certificatePem().toString()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dev.opsagent.smoke.JdkHttpServerSmokeTest#jdksAndProtocols")
  void presentsTheClientCertificateThatTheReceiverRequires(Jdk jdk, Protocol protocol)
      throws Exception {
    List<String> clients =
        exportsOverTls(
            jdk,
            protocol,
            ReceiverTls.serving(receiver).requiringClientCertificatesFrom(ca),
            app ->
                app.sysProp("otel.exporter.otlp.certificate", ca.certificatePem().toString())
                    .sysProp("otel.exporter.otlp.client.key", client.privateKeyPem().toString())
                    .sysProp(
                        "otel.exporter.otlp.client.certificate",
                        client.certificateChainPem().toString()));

    assertThat(clients).isNotEmpty().allMatch(subject -> subject.equals(client.subject()));
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void withoutACertificateSettingTheJvmTrustStoreDecides(Protocol protocol) throws Exception {
    exportsOverTls(
        Jdks.current(),
        protocol,
        ReceiverTls.serving(receiver),
        app ->
            app.sysProp("javax.net.ssl.trustStore", ca.trustStore().toString())
                .sysProp(
                    "javax.net.ssl.trustStorePassword", CertificateAuthority.trustStorePassword()));
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void withoutTheRequiredClientCertificateNothingIsExported(Protocol protocol) throws Exception {
    String warning =
        refusedExport(
            protocol,
            ReceiverTls.serving(receiver).requiringClientCertificatesFrom(ca),
            ca.certificatePem());

    assertThat(warning)
        .contains(": the receiver asks for a client certificate, and none is configured (")
        .endsWith(
            " dropped so far; set OTEL_EXPORTER_OTLP_CLIENT_KEY and"
                + " OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE to the agent's private key and"
                + " certificate chain, signed by a CA that the receiver trusts");
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aReceiverSignedByAnotherCaIsNotTrusted(Protocol protocol) throws Exception {
    String warning = refusedExport(protocol, ReceiverTls.serving(stranger), ca.certificatePem());

    assertThat(warning)
        .contains(
            ": the receiver's certificate is not trusted: no CA certificate in "
                + ca.certificatePem()
                + " (environment variable OTEL_EXPORTER_OTLP_CERTIFICATE) signed it. ")
        .endsWith(
            " dropped so far; set environment variable OTEL_EXPORTER_OTLP_CERTIFICATE to the PEM"
                + " file of the CA certificate that signed the receiver's certificate");
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void aMissingCertificateFileStopsExportAtStartUp(Protocol protocol) throws Exception {
    Path missing = dir.resolve("no-such-ca.pem");
    try (OtlpReceiver collector = protocol.start(ReceiverTls.serving(receiver));
        WireTap tap = WireTap.start(collector.port());
        AppJvm app =
            app(Jdks.current(), protocol, tap)
                .env("OTEL_EXPORTER_OTLP_CERTIFICATE", missing.toString())
                .start()) {
      String started = awaitStarted(app);
      for (int i = 0; i < 3; i++) {
        assertServesHello(app);
      }
      Smoke.pause(NO_MORE);

      assertThat(agentProblems(app))
          .singleElement()
          .asString()
          .contains(
              " ERROR Telemetry: cannot export spans and metrics over TLS: environment variable"
                  + " OTEL_EXPORTER_OTLP_CERTIFICATE names "
                  + missing
                  + ", which does not exist; set it to the PEM file of the CA certificate(s) that"
                  + " signed the collector's certificate. Nothing is sent without that TLS; the"
                  + " files are read when the agent starts");
      assertThat(started)
          .contains(
              "traces to nowhere (otlp "
                  + protocol
                  + " https://127.0.0.1:"
                  + tap.port()
                  + (protocol == Protocol.GRPC ? "" : "/v1/traces")
                  + ": its TLS settings cannot be used)");
      assertThat(tap.connections()).as("connections to the receiver").isZero();
    }
  }

  /**
   * Spans reach the receiver, over TLS only, and the agent has nothing to complain about.
   *
   * @param tlsSettings how the application's agent is told about TLS
   * @return the subjects of the client certificates the receiver got
   */
  private static List<String> exportsOverTls(
      Jdk jdk, Protocol protocol, ReceiverTls tls, UnaryOperator<AppJvm.Builder> tlsSettings)
      throws Exception {
    try (OtlpReceiver collector = protocol.start(tls);
        WireTap tap = WireTap.start(collector.port());
        AppJvm app = tlsSettings.apply(app(jdk, protocol, tap)).start()) {
      assertServesHello(app);

      collector.awaitSpans(span -> span.name().equals("GET /hello"), 1, AWAIT);
      assertThat(agentProblems(app)).as("agent warnings and errors").isEmpty();
      assertThat(collector.receivedContains(SERVICE_NAME)).as("service name received").isTrue();
      assertThat(tap.onlyTls()).as("every connection started with a TLS handshake").isTrue();
      assertThat(tap.carried(SERVICE_NAME)).as("service name on the wire in clear").isFalse();
      return collector.clientCertificates();
    }
  }

  /**
   * The agent, trusting {@code trustedCa}, tries the receiver over TLS only, which decodes nothing,
   * and says so once.
   *
   * @return the one warning that spans cannot be exported
   */
  private static String refusedExport(Protocol protocol, ReceiverTls tls, Path trustedCa)
      throws Exception {
    try (OtlpReceiver collector = protocol.start(tls);
        WireTap tap = WireTap.start(collector.port());
        AppJvm app =
            app(Jdks.current(), protocol, tap)
                .env("OTEL_EXPORTER_OTLP_CERTIFICATE", trustedCa.toString())
                .start()) {
      assertServesHello(app);
      String prefix =
          "cannot export spans to otlp " + protocol + " https://127.0.0.1:" + tap.port();
      // A failure that does not look like TLS's (a closed connection) is tried again first.
      String warning = app.awaitStderr(prefix, AWAIT);
      Smoke.pause(NO_MORE);

      assertThat(agentLinesContaining(app, "export spans to")).containsExactly(warning);
      assertThat(warning).startsWith("[opsagent] ").contains(" WARN ExportHealth: " + prefix);
      assertThat(collector.exportRequests()).as("export requests decoded").isZero();
      assertThat(tap.connections()).as("connections to the receiver").isPositive();
      assertThat(tap.onlyTls()).as("every connection started with a TLS handshake").isTrue();
      assertThat(tap.carried(SERVICE_NAME)).as("service name on the wire in clear").isFalse();
      return warning;
    }
  }

  /** The application exporting through {@code tap}, over https, in {@code protocol}. */
  private static AppJvm.Builder app(Jdk jdk, Protocol protocol, WireTap tap) {
    return AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
        .agentArgs(
            args(
                "otel.exporter.otlp.endpoint=https://127.0.0.1:" + tap.port(),
                "otel.exporter.otlp.protocol=" + protocol,
                "otel.service.name=" + SERVICE_NAME,
                FAST_SPANS,
                FAST_METRICS,
                QUICK_EXIT));
  }

  private static void assertServesHello(AppJvm app) throws IOException, InterruptedException {
    var response = Http.get(app.port(), "/hello");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello");
  }
}
