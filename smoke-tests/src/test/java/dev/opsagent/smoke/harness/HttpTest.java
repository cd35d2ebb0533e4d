package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpTest {

  private static final char[] PASSWORD = "changeit".toCharArray();

  @Test
  void getSendsPathQueryAndHeaders() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try {
      server.createContext("/", HttpTest::echo);
      server.start();

      HttpResponse<String> response =
          Http.get(server.getAddress().getPort(), "/orders?id=7", "X-Tenant", "acme");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("GET /orders?id=7 X-Tenant=acme");
    } finally {
      server.stop(0);
    }
  }

  /** The certificate is self-signed and names another host: both must be accepted. */
  @Test
  void getHttpsTrustsAnySelfSignedCertificate(@TempDir Path dir) throws Exception {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try {
      server.setHttpsConfigurator(
          new HttpsConfigurator(selfSignedFor("CN=elsewhere.invalid", dir)));
      server.createContext("/", HttpTest::echo);
      server.start();

      HttpResponse<String> response =
          Http.getHttps(server.getAddress().getPort(), "/secure", "X-Tenant", "acme");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("GET /secure X-Tenant=acme");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void headersComeInPairs() {
    assertThatThrownBy(() -> Http.get(1, "/", "X-Tenant"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void echo(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body =
          (exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " X-Tenant="
                  + exchange.getRequestHeaders().getFirst("X-Tenant"))
              .getBytes(UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** A key pair and self-signed certificate from the JDK's keytool, as a test server would have. */
  private static SSLContext selfSignedFor(String distinguishedName, Path dir) throws Exception {
    Path keyStore = dir.resolve("server.p12");
    Path keytool = Jdks.current().home().resolve("bin").resolve("keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-dname",
                distinguishedName,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    return context;
  }
}
