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
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export over TLS to a receiver whose certificate only the configured trust (the SDK's {@code
 * setTrustedCertificates}, handed to the sender as an SSL context) accepts, with the client
 * certificate of {@code setClientTls} when one is configured.
 */
class JdkHttpSenderTlsTest {

  @TempDir static Path dir;
  private static SelfSignedCertificate certificate;
  private static byte[] certificatePem;

  private final AtomicInteger received = new AtomicInteger();
  private final List<String> protocols = Collections.synchronizedList(new ArrayList<>());

  /** The subject of each request's client certificate, {@code none} without one. */
  private final List<String> clients = Collections.synchronizedList(new ArrayList<>());

  private HttpsServer receiver;
  private SpanExporter exporter;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certificate = SelfSignedCertificate.generate(dir);
    certificatePem = Files.readAllBytes(certificate.certificatePem());
  }

  @BeforeEach
  void startReceiver() throws Exception {
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
            ssl.setWantClientAuth(true);
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

  private OtlpHttpSpanExporterBuilder builder() {
    return OtlpHttpSpanExporter.builder()
        .setComponentLoader(HttpSenders.create())
        .setEndpoint("https://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces")
        .setRetryPolicy(RetryPolicy.getDefault());
  }

  private CompletableResultCode export(SpanExporter exporter) {
    this.exporter = exporter;
    return exporter.export(JdkHttpSenderTest.spans()).join(20, TimeUnit.SECONDS);
  }

  @Test
  void exportsToAReceiverTrustedThroughTheConfiguredCertificate() {
    CompletableResultCode result = export(builder().setTrustedCertificates(certificatePem).build());

    assertThat(result.isSuccess()).isTrue();
    assertThat(received).hasValue(1);
    // The JDK's HTTPS server speaks HTTP/1.1 only: ALPN settled on it.
    assertThat(protocols).containsExactly("HTTP/1.1");
    assertThat(clients).containsExactly("none");
  }

  @Test
  void presentsTheConfiguredClientCertificate() throws Exception {
    CompletableResultCode result =
        export(
            builder()
                .setTrustedCertificates(certificatePem)
                .setClientTls(
                    Files.readAllBytes(certificate.privateKeyPem()),
                    Files.readAllBytes(certificate.certificatePem()))
                .build());

    assertThat(result.isSuccess()).isTrue();
    assertThat(clients).containsExactly("CN=localhost");
  }

  @Test
  void refusesAnUntrustedReceiverAtOnceWithoutRetrying() {
    long start = System.nanoTime();

    CompletableResultCode result = export(builder().build());

    assertThat(result.isSuccess()).isFalse();
    assertThat(result.getFailureThrowable().getCause()).isInstanceOf(SSLException.class);
    assertThat(received).hasValue(0);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .as("no back-off: a TLS failure is not retried")
        .isLessThan(900);
  }
}
