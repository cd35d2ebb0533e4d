/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export over TLS to a receiver whose certificate only the configured trust (the SDK's {@code
 * setTrustedCertificates}, handed to the sender as an SSL context) accepts.
 */
class JdkHttpSenderTlsTest {

  private static final String PASSWORD = "changeit";

  @TempDir static Path dir;
  private static Path keyStore;
  private static byte[] certificatePem;

  private final AtomicInteger received = new AtomicInteger();
  private final List<String> protocols = Collections.synchronizedList(new ArrayList<>());
  private HttpsServer receiver;
  private SpanExporter exporter;

  @BeforeAll
  static void makeCertificate() throws Exception {
    keyStore = dir.resolve("receiver.p12");
    keytool(
        "-genkeypair",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD,
        "-alias",
        "receiver",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2");
    Path pem = dir.resolve("receiver.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-alias",
        "receiver",
        "-file",
        pem.toString());
    certificatePem = Files.readAllBytes(pem);
  }

  private static void keytool(String... arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    Collections.addAll(command, arguments);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  @BeforeEach
  void startReceiver() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, null);
    receiver = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setHttpsConfigurator(new HttpsConfigurator(tls));
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          try {
            exchange.getRequestBody().readAllBytes();
            protocols.add(exchange.getProtocol());
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    receiver.start();
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
