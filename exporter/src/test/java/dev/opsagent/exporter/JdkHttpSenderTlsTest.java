/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.opsagent.config.Config;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export over TLS, configured as the agent configures it ({@link OtlpSettings}, {@link
 * CollectorTls}), to a receiver whose certificate only the configured CA file makes trusted, with
 * the configured client certificate, or without one that the receiver requires.
 */
class JdkHttpSenderTlsTest {

  @TempDir static Path dir;
  private static SelfSignedCertificate certificate;

  private final AtomicInteger received = new AtomicInteger();
  private final List<String> protocols = Collections.synchronizedList(new ArrayList<>());

  /** The subject of each request's client certificate, {@code none} without one. */
  private final List<String> clients = Collections.synchronizedList(new ArrayList<>());

  private HttpsServer receiver;
  private SpanExporter exporter;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certificate = SelfSignedCertificate.generate(dir);
  }

  /**
   * @param clientCertificate {@code want}: asked for, not required; {@code need}: required
   */
  private void startReceiver(String clientCertificate) throws Exception {
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(certificate.keyStore(), SelfSignedCertificate.PASSWORD.toCharArray());
    // The same certificate identifies the client, when one is given.
    TrustManagerFactory clientTrust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    clientTrust.init(certificate.keyStore());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), clientTrust.getTrustManagers(), null);
    receiver = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters parameters) {
            SSLParameters ssl = tls.getDefaultSSLParameters();
            ssl.setWantClientAuth(clientCertificate.equals("want"));
            ssl.setNeedClientAuth(clientCertificate.equals("need"));
            parameters.setSSLParameters(ssl);
          }
        });
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          try {
            exchange.getRequestBody().readAllBytes();
            protocols.add(exchange.getProtocol());
            clients.add(client(((HttpsExchange) exchange).getSSLSession()));
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    receiver.start();
  }

  private static String client(SSLSession session) {
    try {
      return session.getPeerPrincipal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return "none";
    }
  }

  @AfterEach
  void stop() {
    if (exporter != null) {
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
    receiver.stop(0);
  }

  /** The receiver's endpoint with these TLS settings (environment variables: name, value...). */
  private OtlpSettings settings(String... tlsSettings) {
    Map<String, String> environment = new HashMap<>();
    environment.put(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "https://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces");
    for (int i = 0; i < tlsSettings.length; i += 2) {
      environment.put(tlsSettings[i], tlsSettings[i + 1]);
    }
    OtlpSettings settings =
        OtlpSettings.resolve(Config.create(null, new Properties(), environment), "traces");
    assertThat(settings.unusableTls()).isNull();
    return settings;
  }

  /** An exporter to the receiver, its TLS configured by {@code settings}. */
  private SpanExporter exporter(OtlpSettings settings, RetryPolicy retryPolicy) {
    OtlpHttpSpanExporterBuilder builder =
        OtlpHttpSpanExporter.builder()
            .setComponentLoader(HttpSenders.create())
            .setEndpoint(settings.endpoint())
            .setRetryPolicy(retryPolicy);
    settings.configureTls(builder::setSslContext);
    exporter = builder.build();
    return exporter;
  }

  private CompletableResultCode export(OtlpSettings settings) {
    return export(exporter(settings, null));
  }

  private static CompletableResultCode export(SpanExporter exporter) {
    return exporter.export(JdkHttpSenderTest.spans()).join(20, TimeUnit.SECONDS);
  }

  private static String[] trustingTheReceiver() {
    return new String[] {
      "OTEL_EXPORTER_OTLP_CERTIFICATE", certificate.certificatePem().toString(),
    };
  }

  @Test
  void exportsToAReceiverTrustedThroughTheConfiguredCertificate() throws Exception {
    startReceiver("want");

    CompletableResultCode result = export(settings(trustingTheReceiver()));

    assertThat(result.isSuccess()).isTrue();
    assertThat(received).hasValue(1);
    // The JDK's HTTPS server speaks HTTP/1.1 only: ALPN settled on it.
    assertThat(protocols).containsExactly("HTTP/1.1");
    assertThat(clients).containsExactly("none");
  }

  @Test
  void presentsTheConfiguredClientCertificate() throws Exception {
    startReceiver("need");

    CompletableResultCode result =
        export(
            settings(
                "OTEL_EXPORTER_OTLP_CERTIFICATE", certificate.certificatePem().toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_KEY", certificate.privateKeyPem().toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificate.certificatePem().toString()));

    assertThat(result.isSuccess()).isTrue();
    assertThat(clients).containsExactly("CN=localhost");
  }

  /**
   * The JDK's HTTPS server of Java 17 closes the connection without an alert, which the client of
   * TLS 1.3 sees only once it waits for the answer: what the receiver asked for tells why.
   */
  @Test
  void saysThatTheReceiverAskedForAClientCertificateThatIsNotConfigured() throws Exception {
    startReceiver("need");
    OtlpSettings settings = settings(trustingTheReceiver());

    CompletableResultCode result = export(settings);

    assertThat(result.isSuccess()).isFalse();
    assertThat(received).hasValue(0);
    assertThat(settings.tls().explain(result.getFailureThrowable()).reason)
        .startsWith("the receiver asks for a client certificate, and none is configured (");
  }

  @Test
  void refusesAnUntrustedReceiverAtOnceWithoutRetrying() throws Exception {
    startReceiver("want");
    SpanExporter retrying = exporter(settings(), RetryPolicy.getDefault());
    long start = System.nanoTime();

    CompletableResultCode result = export(retrying);

    assertThat(result.isSuccess()).isFalse();
    assertThat(result.getFailureThrowable().getCause()).isInstanceOf(SSLException.class);
    assertThat(received).hasValue(0);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("no back-off: a TLS failure is not retried")
        .isLessThan(900);
  }
}
