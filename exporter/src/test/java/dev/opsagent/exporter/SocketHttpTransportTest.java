/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's own HTTP/1.1 client against receivers written byte by byte on real loopback sockets:
 * what it sends, how it reads every framing of an answer, keeps and renews connections, and fails
 * by the deadline.
 */
class SocketHttpTransportTest {

  private static final List<String> FIELDS =
      List.of("Content-Type", "application/x-protobuf", "x-api-key", "s3cret");
  private static final byte[] BODY = "\n\u0007message".getBytes(ISO_8859_1);
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

  private ScriptedReceiver receiver;
  private SocketHttpTransport transport;

  @AfterEach
  void stop() throws Exception {
    if (transport != null) {
      transport.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /** What a connection does: reads requests with {@link Exchange#request()}, writes answers. */
  interface Script {
    void run(Exchange exchange) throws IOException, InterruptedException;
  }

  /** One accepted connection, as its script sees it. */
  static final class Exchange {
    final int connection;
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final List<String> heads;
    final List<byte[]> bodies;

    Exchange(int connection, Socket socket, List<String> heads, List<byte[]> bodies)
        throws IOException {
      this.connection = connection;
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
      this.heads = heads;
      this.bodies = bodies;
    }

    /**
     * @return the request's body, it and its head recorded; null when the client closed the
     *     connection
     */
    byte[] request() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        byte[] bytes = head.toByteArray();
        int n = bytes.length;
        if (n >= 4
            && bytes[n - 4] == '\r'
            && bytes[n - 3] == '\n'
            && bytes[n - 2] == '\r'
            && bytes[n - 1] == '\n') {
          break;
        }
      }
      if (b < 0) {
        return null;
      }
      String text = head.toString(ISO_8859_1);
      heads.add(text);
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      bodies.add(body);
      return body;
    }

    void answer(String text) throws IOException {
      out.write(text.getBytes(ISO_8859_1));
      out.flush();
    }
  }

  /** A loopback receiver that runs a script on each connection it accepts. */
  static final class ScriptedReceiver implements AutoCloseable {
    final ServerSocket server;
    final List<String> heads = new CopyOnWriteArrayList<>();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ScriptedReceiver(Script script) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Exchange exchange = new Exchange(sockets.size(), socket, heads, bodies);
                    Thread connection =
                        new Thread(
                            () -> {
                              try {
                                script.run(exchange);
                              } catch (IOException closed) {
                                // The test ended it, or the client closed.
                              } catch (Throwable t) {
                                failures.add(t);
                              }
                            },
                            "scripted-receiver-connection");
                    connection.setDaemon(true);
                    connection.start();
                  }
                } catch (IOException closed) {
                  // Closed by the test.
                }
              },
              "scripted-receiver");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/traces");
    }

    int connections() {
      return sockets.size();
    }

    @Override
    public void close() throws Exception {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
      acceptor.join(5_000);
      assertThat(failures).as("the receiver's scripts").isEmpty();
    }
  }

  private SocketHttpTransport transport(Script script) throws IOException {
    return transport(script, 4 * 1024 * 1024);
  }

  private SocketHttpTransport transport(Script script, long maxBody) throws IOException {
    receiver = new ScriptedReceiver(script);
    transport = new SocketHttpTransport(receiver.endpoint(), Duration.ofSeconds(5), maxBody);
    return transport;
  }

  private static long inSeconds(double seconds) {
    return System.nanoTime() + (long) (seconds * 1e9);
  }

  private HttpTransport.Answer post() throws Exception {
    return transport.post(FIELDS, BODY, BODY.length, inSeconds(10));
  }

  /** Answers every request on the connection with {@code answer}. */
  private static Script answering(String answer) {
    return exchange -> {
      while (exchange.request() != null) {
        exchange.answer(answer);
      }
    };
  }

  @Test
  void sendsOneHttp11PostWithTheFieldsAndTheBody() throws Exception {
    transport(answering(OK));

    HttpTransport.Answer answer = post();

    assertThat(answer.getStatusCode()).isEqualTo(200);
    assertThat(answer.getResponseBody()).isEmpty();
    assertThat(receiver.heads.get(0))
        .isEqualTo(
            "POST /v1/traces HTTP/1.1\r\n"
                + "Host: 127.0.0.1:"
                + receiver.server.getLocalPort()
                + "\r\n"
                + "Content-Type: application/x-protobuf\r\n"
                + "x-api-key: s3cret\r\n"
                + "Content-Length: "
                + BODY.length
                + "\r\n\r\n");
    assertThat(receiver.bodies.get(0)).isEqualTo(BODY);
  }

  @Test
  void sendsALargeBodyWhole() throws Exception {
    transport(answering(OK));
    byte[] large = new byte[1_000_003];
    new java.util.Random(3).nextBytes(large);

    assertThat(transport.post(FIELDS, large, large.length, inSeconds(10)).getStatusCode())
        .isEqualTo(200);

    assertThat(receiver.bodies.get(0)).isEqualTo(large);
  }

  @Test
  void keepsTheConnectionFromExportToExport() throws Exception {
    transport(answering(OK));

    for (int i = 0; i < 5; i++) {
      assertThat(post().getStatusCode()).isEqualTo(200);
    }

    assertThat(receiver.heads).hasSize(5);
    assertThat(receiver.connections()).isEqualTo(1);
  }

  @Test
  void connectsAnewAfterTheConnectionWasIdleTooLong() throws Exception {
    receiver = new ScriptedReceiver(answering(OK));
    transport =
        new SocketHttpTransport(
            receiver.endpoint(), Duration.ofSeconds(5), 1024, Duration.ofMillis(100));
    assertThat(post().getStatusCode()).isEqualTo(200);
    assertThat(post().getStatusCode()).isEqualTo(200);
    Thread.sleep(200);

    assertThat(post().getStatusCode()).isEqualTo(200);

    assertThat(receiver.connections()).as("a silently dropped connection is not used").isEqualTo(2);
    assertThat(receiver.heads).hasSize(3);
  }

  @Test
  void sendsAgainOnANewConnectionWhenTheReceiverClosedTheKeptOne() throws Exception {
    transport(
        exchange -> {
          exchange.request();
          exchange.answer(OK);
          if (exchange.connection == 1) {
            // An idle time-out: the connection ends without a word after its first answer.
            exchange.socket.close();
            return;
          }
          while (exchange.request() != null) {
            exchange.answer(OK);
          }
        });
    assertThat(post().getStatusCode()).isEqualTo(200);
    awaitClosedByClientSide();

    assertThat(post().getStatusCode()).isEqualTo(200);

    assertThat(receiver.connections()).isEqualTo(2);
    assertThat(receiver.heads).hasSize(2);
  }

  /** Lets the FIN of a closed connection reach the client before its next export. */
  private static void awaitClosedByClientSide() throws InterruptedException {
    Thread.sleep(100);
  }

  @Test
  void sendsAgainWhenTheKeptConnectionEndsBeforeItsAnswer() throws Exception {
    transport(
        exchange -> {
          exchange.request();
          exchange.answer(OK);
          if (exchange.connection == 1) {
            // Reads the next request, then closes without answering: a receiver restarting.
            exchange.request();
            exchange.socket.close();
            return;
          }
          while (exchange.request() != null) {
            exchange.answer(OK);
          }
        });
    assertThat(post().getStatusCode()).isEqualTo(200);

    assertThat(post().getStatusCode()).isEqualTo(200);

    assertThat(receiver.connections()).isEqualTo(2);
    assertThat(receiver.heads).hasSize(3);
  }

  @Test
  void opensANewConnectionAfterConnectionClose() throws Exception {
    transport(answering("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));

    assertThat(new String(post().getResponseBody(), ISO_8859_1)).isEqualTo("ok");
    assertThat(new String(post().getResponseBody(), ISO_8859_1)).isEqualTo("ok");

    assertThat(receiver.connections()).isEqualTo(2);
  }

  @Test
  void readsAChunkedAnswerAndKeepsTheConnection() throws Exception {
    transport(
        answering(
            "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\ninval\r\n"
                + "c\r\nid span data\r\n"
                + "0\r\nX-Trailer: t\r\n\r\n"));

    HttpTransport.Answer first = post();
    HttpTransport.Answer second = post();

    assertThat(first.getStatusCode()).isEqualTo(400);
    assertThat(new String(first.getResponseBody(), ISO_8859_1)).isEqualTo("invalid span data");
    assertThat(second.getStatusCode()).isEqualTo(400);
    assertThat(receiver.connections()).isEqualTo(1);
  }

  @Test
  void readsAnHttp10AnswerToTheConnectionsEnd() throws Exception {
    transport(
        exchange -> {
          exchange.request();
          exchange.answer("HTTP/1.0 503 Service Unavailable\r\nRetry-After: 7\r\n\r\nbusy");
          exchange.socket.close();
        });

    HttpTransport.Answer answer = post();

    assertThat(answer.getStatusCode()).isEqualTo(503);
    assertThat(answer.retryAfter()).isEqualTo("7");
    assertThat(new String(answer.getResponseBody(), ISO_8859_1)).isEqualTo("busy");
    assertThat(post().getStatusCode()).as("a new connection").isEqualTo(503);
    assertThat(receiver.connections()).isEqualTo(2);
  }

  @Test
  void skipsInterimAnswers() throws Exception {
    transport(
        answering(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK));

    assertThat(post().getStatusCode()).isEqualTo(200);
    assertThat(post().getStatusCode()).isEqualTo(200);
    assertThat(receiver.connections()).isEqualTo(1);
  }

  @Test
  void keepsTheBodyUpToItsLimitAndTheConnectionWhenTheRestIsShort() throws Exception {
    String long_ = "x".repeat(10_000);
    transport(
        answering("HTTP/1.1 500 Oops\r\nContent-Length: " + long_.length() + "\r\n\r\n" + long_),
        100);

    assertThat(post().getResponseBody()).hasSize(100);
    assertThat(post().getResponseBody()).hasSize(100);
    assertThat(receiver.connections()).isEqualTo(1);
  }

  @Test
  void closesTheConnectionRatherThanReadAHugeBody() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    transport(
        exchange -> {
          exchange.request();
          exchange.answer("HTTP/1.1 500 Oops\r\nContent-Length: 100000000\r\n\r\n");
          byte[] chunk = new byte[64 * 1024];
          Arrays.fill(chunk, (byte) 'x');
          try {
            for (int i = 0; i < 1_000; i++) {
              exchange.out.write(chunk);
            }
          } finally {
            answered.countDown();
          }
        },
        100);

    HttpTransport.Answer answer = post();

    assertThat(answer.getStatusCode()).isEqualTo(500);
    assertThat(answer.getResponseBody()).hasSize(100);
    assertThat(answered.await(10, TimeUnit.SECONDS))
        .as("the receiver's writes end: the client closed the connection")
        .isTrue();
  }

  @Test
  void failsAtOnceOnAnAnswerThatIsNotHttp() throws Exception {
    byte[] garbage = new byte[512];
    new java.util.Random(7).nextBytes(garbage);
    garbage[0] = (byte) 0xfe;
    transport(
        exchange -> {
          exchange.request();
          exchange.out.write(garbage);
          exchange.out.flush();
          exchange.in.transferTo(OutputStream.nullOutputStream());
        });
    long start = System.nanoTime();

    assertThatThrownBy(this::post)
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid status line: ");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void refusesAHeadBeyondItsLimit() throws Exception {
    String field = "X-Filler: " + "y".repeat(1_000) + "\r\n";
    transport(
        exchange -> {
          exchange.request();
          exchange.answer("HTTP/1.1 200 OK\r\n" + field.repeat(70) + "\r\n");
          exchange.in.transferTo(OutputStream.nullOutputStream());
        });

    assertThatThrownBy(this::post)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("longer than " + SocketHttpTransport.MAX_HEAD_BYTES);
  }

  @Test
  void saysWhenTheReceiverEndsInTheMiddleOfItsAnswer() throws Exception {
    transport(
        exchange -> {
          exchange.request();
          exchange.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
          exchange.socket.close();
        });

    assertThatThrownBy(this::post)
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("closed the connection in the middle of its answer");
  }

  @Test
  void endsAnExchangeWithoutAnswerByTheDeadline() throws Exception {
    transport(
        exchange -> {
          exchange.request();
          exchange.in.transferTo(OutputStream.nullOutputStream());
        });
    long start = System.nanoTime();

    assertThatThrownBy(() -> transport.post(FIELDS, BODY, BODY.length, inSeconds(0.5)))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessage(
            "the receiver at "
                + receiver.endpoint().getAuthority()
                + " did not answer within the export's time limit");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(450), Duration.ofSeconds(2));
  }

  @Test
  void endsASendTheReceiverDoesNotReadByTheDeadline() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    transport(exchange -> done.await(30, TimeUnit.SECONDS));
    byte[] large = new byte[64 * 1024 * 1024];
    long start = System.nanoTime();

    try {
      assertThatThrownBy(() -> transport.post(FIELDS, large, large.length, inSeconds(0.5)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("did not take the request within the export's time limit");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(450), Duration.ofSeconds(2));
    } finally {
      done.countDown();
    }
  }

  @Test
  void anInterruptedExportEndsAtOnce() throws Exception {
    transport(
        exchange -> {
          exchange.request();
          exchange.in.transferTo(OutputStream.nullOutputStream());
        });
    List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
    Thread exporting =
        new Thread(
            () -> {
              try {
                transport.post(FIELDS, BODY, BODY.length, inSeconds(30));
              } catch (Exception e) {
                thrown.add(e);
              }
            });
    exporting.start();
    while (receiver.heads.isEmpty()) {
      Thread.sleep(10);
    }

    exporting.interrupt();
    exporting.join(2_000);

    assertThat(exporting.isAlive()).isFalse();
    assertThat(thrown).singleElement().isInstanceOf(InterruptedException.class);
  }

  @Test
  void reachesPlainEndpointsWithoutAProxyOnly() {
    assertThat(senderOf("http://127.0.0.1:4318/v1/traces", null))
        .contains("SocketHttpTransport{127.0.0.1:4318}");
    assertThat(senderOf("https://127.0.0.1:4318/v1/traces", null)).contains("JdkClientTransport");
    assertThat(
            senderOf(
                "http://127.0.0.1:4318/v1/traces",
                ProxyOptions.create(new InetSocketAddress("127.0.0.1", 3128))))
        .contains("JdkClientTransport");
  }

  private static String senderOf(String endpoint, ProxyOptions proxy) {
    HttpSenders senders = HttpSenders.create();
    var builder = OtlpHttpSpanExporter.builder().setComponentLoader(senders).setEndpoint(endpoint);
    if (proxy != null) {
      builder.setProxy(proxy);
    }
    OtlpHttpSpanExporter exporter = builder.build();
    try {
      return senders.sender().toString();
    } finally {
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
