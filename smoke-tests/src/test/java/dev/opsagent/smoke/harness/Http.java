package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** GET requests to a sample application on the loopback interface, over http or https. */
public final class Http {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final HttpClient PLAIN = client(HttpClient.newBuilder());

  /** For the applications' self-signed certificates, which name no host we connect to. */
  private static final HttpClient TRUSTING =
      client(HttpClient.newBuilder().sslContext(trustingEverything()));

  private Http() {}

  /**
   * GET {@code http://127.0.0.1:<port><pathAndQuery>}.
   *
   * @param headers name, value, name, value...
   */
  public static HttpResponse<String> get(int port, String pathAndQuery, String... headers)
      throws IOException, InterruptedException {
    return PLAIN.send(
        request("http", port, pathAndQuery, headers), HttpResponse.BodyHandlers.ofString());
  }

  /** As {@link #get}, over https, accepting any certificate for any host name. */
  public static HttpResponse<String> getHttps(int port, String pathAndQuery, String... headers)
      throws IOException, InterruptedException {
    return TRUSTING.send(
        request("https", port, pathAndQuery, headers), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(
      String scheme, int port, String pathAndQuery, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + pathAndQuery))
            .timeout(REQUEST_TIMEOUT)
            .GET();
    // HttpRequest.Builder.headers() rejects an empty array.
    if (headers.length > 0) {
      request.headers(headers);
    }
    return request.build();
  }

  private static HttpClient client(HttpClient.Builder builder) {
    return builder.version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
  }

  /**
   * An {@link X509ExtendedTrustManager} that accepts everything: being "extended", it is also in
   * charge of host name checks, which it skips; a plain X509TrustManager would be wrapped by the
   * JDK and the host name still checked.
   */
  private static SSLContext trustingEverything() {
    TrustManager trustAll =
        new X509ExtendedTrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkClientTrusted(
              X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkServerTrusted(
              X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JDK", e);
    }
  }
}
