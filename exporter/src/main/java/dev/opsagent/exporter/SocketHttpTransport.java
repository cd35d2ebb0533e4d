/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 to a plain {@code http://} endpoint over the agent's own connections, kept alive from
 * export to export. Each connection is a non-blocking socket with a selector of its own, waited on
 * by the exporting thread: connecting, sending and reading the answer all end by the export's
 * deadline (a blocking socket cannot bound a write to a receiver that stops reading), and there is
 * no thread besides the exporter's. The JDK's {@code HttpClient} cost about 1 ms of CPU per export
 * of 512 spans on this project's machine, as much as writing the message, and kept the JIT busy
 * with its code long after start-up; it still serves TLS and proxies ({@link JdkClientTransport}).
 */
final class SocketHttpTransport implements HttpTransport {

  /** Connections kept open between exports; exports overlap only when one outlasts its batch. */
  private static final int MAX_IDLE_CONNECTIONS = 4;

  /**
   * A connection idle longer is closed rather than used: a load balancer or NAT on the way may have
   * dropped it without a word (idle time-outs of 60 s and more are common), and a request sent on
   * it would wait for its answer until the export's time limit. Spans, exported every few seconds
   * under load, keep theirs; metrics, once a minute, connect anew.
   */
  static final Duration MAX_IDLE = Duration.ofSeconds(30);

  /** An answer's status line and headers; beyond, it is not an OTLP receiver's answer. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /**
   * Read and thrown away beyond the part of an answer's body that is kept, so that the connection
   * can serve the next export; a longer body closes the connection instead.
   */
  private static final int MAX_SKIPPED_BYTES = 1024 * 1024;

  private static final int BUFFER_BYTES = 8 * 1024;
  private static final int WRITE_SLICE_BYTES = 64 * 1024;
  private static final byte[] NO_BYTES = new byte[0];

  private static final String CONNECTING = "connect";
  private static final String SENDING = "send";
  private static final String ANSWERING = "answer";

  private final String host;
  private final int port;
  private final String where;
  private final String requestLine;
  private final long connectTimeoutNanos;
  private final int maxBodyBytes;
  private final long maxIdleNanos;

  /** Most recently used first. */
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();

  private boolean closed;

  SocketHttpTransport(URI endpoint, Duration connectTimeout, long maxResponseBodySize) {
    this(endpoint, connectTimeout, maxResponseBodySize, MAX_IDLE);
  }

  SocketHttpTransport(
      URI endpoint, Duration connectTimeout, long maxResponseBodySize, Duration maxIdle) {
    this.maxIdleNanos = maxIdle.toNanos();
    this.host = endpoint.getHost();
    this.port = endpoint.getPort() >= 0 ? endpoint.getPort() : 80;
    this.where = host + ":" + port;
    String path =
        endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty()
            ? "/"
            : endpoint.getRawPath();
    String query = endpoint.getRawQuery() == null ? "" : "?" + endpoint.getRawQuery();
    String authority = endpoint.getPort() >= 0 ? where : host;
    this.requestLine = "POST " + path + query + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    this.connectTimeoutNanos =
        connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()
            ? 0
            : connectTimeout.toNanos();
    this.maxBodyBytes = (int) Math.min(Math.max(maxResponseBodySize, 0), Integer.MAX_VALUE - 8);
  }

  /**
   * Whether this transport reaches the configured endpoint: plain {@code http://}, and no proxy,
   * neither configured for the exporter nor chosen by the JVM's proxy settings for it.
   */
  static boolean reaches(HttpSenderConfig config) {
    URI endpoint = config.getEndpoint();
    if (!"http".equalsIgnoreCase(endpoint.getScheme())
        || endpoint.getHost() == null
        || config.getProxyOptions() != null) {
      return false;
    }
    ProxySelector proxies = ProxySelector.getDefault();
    if (proxies == null) {
      return true;
    }
    try {
      List<Proxy> chosen = proxies.select(endpoint);
      return chosen == null
          || chosen.isEmpty()
          || (chosen.size() == 1 && chosen.get(0).type() == Proxy.Type.DIRECT);
    } catch (RuntimeException unusual) {
      return false;
    }
  }

  @Override
  public Answer post(List<String> fields, byte[] body, int length, long deadlineNanos)
      throws IOException, InterruptedException {
    byte[] head = head(fields, length);
    Connection kept = idleConnection();
    if (kept != null) {
      try {
        return exchange(kept, head, body, length, deadlineNanos);
      } catch (IOException e) {
        // The receiver closed the kept connection (its idle time-out, a restart) before it read
        // the request: sent again on a new one. Anything else is the export's failure.
        if (kept.answerStarted || e instanceof SocketTimeoutException) {
          throw e;
        }
      }
    }
    return exchange(connect(deadlineNanos), head, body, length, deadlineNanos);
  }

  private byte[] head(List<String> fields, int length) {
    StringBuilder head = new StringBuilder(requestLine.length() + 64 + fields.size() * 24);
    head.append(requestLine);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      head.append(fields.get(i)).append(": ").append(fields.get(i + 1)).append("\r\n");
    }
    head.append("Content-Length: ").append(length).append("\r\n\r\n");
    return head.toString().getBytes(ISO_8859_1);
  }

  private Answer exchange(
      Connection connection, byte[] head, byte[] body, int length, long deadlineNanos)
      throws IOException, InterruptedException {
    boolean reusable = false;
    try {
      connection.send(head, body, length, deadlineNanos);
      Answer answer = connection.receive(deadlineNanos);
      reusable = connection.reusable;
      return answer;
    } finally {
      if (reusable) {
        release(connection);
      } else {
        connection.close();
      }
    }
  }

  private Connection idleConnection() {
    while (true) {
      Connection connection;
      synchronized (idle) {
        connection = idle.pollFirst();
      }
      if (connection == null
          || (System.nanoTime() - connection.idleSinceNanos < maxIdleNanos
              && connection.stillOpen())) {
        return connection;
      }
      connection.close();
    }
  }

  private void release(Connection connection) {
    connection.idleSinceNanos = System.nanoTime();
    synchronized (idle) {
      if (!closed && idle.size() < MAX_IDLE_CONNECTIONS) {
        idle.addFirst(connection);
        return;
      }
    }
    connection.close();
  }

  private Connection connect(long deadlineNanos) throws IOException, InterruptedException {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new ConnectException("unknown host " + host);
    }
    long connectDeadline = deadlineNanos;
    if (connectTimeoutNanos > 0) {
      long byTimeout = System.nanoTime() + connectTimeoutNanos;
      if (byTimeout - deadlineNanos < 0) {
        connectDeadline = byTimeout;
      }
    }
    Connection connection = new Connection(this);
    try {
      connection.connect(address, connectDeadline, connectDeadline != deadlineNanos);
      return connection;
    } catch (ConnectException e) {
      connection.close();
      // Where, in the message: the JDK's says only what.
      throw new ConnectException(
          "Connection refused".equals(e.getMessage()) || e.getMessage() == null
              ? "cannot connect to " + where + " (connection refused)"
              : "cannot connect to " + where + ": " + e.getMessage());
    } catch (IOException | InterruptedException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public void close() {
    Connection[] open;
    synchronized (idle) {
      closed = true;
      open = idle.toArray(new Connection[0]);
      idle.clear();
    }
    for (Connection connection : open) {
      connection.close();
    }
  }

  @Override
  public String toString() {
    return "SocketHttpTransport{" + where + "}";
  }

  private SocketTimeoutException timeout(String phase, boolean byConnectTimeout) {
    switch (phase) {
      case CONNECTING:
        return new SocketTimeoutException(
            "cannot connect to "
                + where
                + " within "
                + (byConnectTimeout
                    ? "the connect timeout of "
                        + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos)
                        + " ms"
                    : "the export's time limit"));
      case SENDING:
        return new SocketTimeoutException(
            "the receiver at "
                + where
                + " did not take the request within the export's time limit");
      default:
        return new SocketTimeoutException(
            "the receiver at " + where + " did not answer within the export's time limit");
    }
  }

  /** One connection: used by one export at a time, kept for the next when the answer allows. */
  private static final class Connection {
    private final SocketHttpTransport transport;
    private SocketChannel channel;
    private Selector selector;
    private SelectionKey key;

    private byte[] buffer = new byte[BUFFER_BYTES];
    private ByteBuffer view = ByteBuffer.wrap(buffer);

    /** The unread bytes of the answer are buffer[position, limit). */
    private int position;

    private int limit;

    private boolean connectLimitedByTimeout;

    /** Whether a byte of the current answer arrived: a failure then is not a stale connection. */
    boolean answerStarted;

    /** Whether the last answer leaves the connection fit for the next request. */
    boolean reusable;

    /** {@link System#nanoTime()} when it was last put back among the idle ones. */
    long idleSinceNanos;

    Connection(SocketHttpTransport transport) {
      this.transport = transport;
    }

    /**
     * @param byConnectTimeout whether {@code deadlineNanos} is the connect timeout's, not the
     *     export's
     */
    void connect(InetSocketAddress address, long deadlineNanos, boolean byConnectTimeout)
        throws IOException, InterruptedException {
      connectLimitedByTimeout = byConnectTimeout;
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      selector = Selector.open();
      key = channel.register(selector, 0);
      if (!channel.connect(address)) {
        while (!channel.finishConnect()) {
          await(SelectionKey.OP_CONNECT, deadlineNanos, CONNECTING);
        }
      }
    }

    /**
     * A kept connection the receiver has not closed meanwhile: nothing to read on it, no end of
     * stream.
     */
    boolean stillOpen() {
      try {
        view.limit(buffer.length).position(0);
        return channel.read(view) == 0;
      } catch (IOException e) {
        return false;
      }
    }

    void send(byte[] head, byte[] body, int length, long deadlineNanos)
        throws IOException, InterruptedException {
      answerStarted = false;
      reusable = false;
      position = 0;
      limit = 0;
      ByteBuffer first = ByteBuffer.wrap(head);
      ByteBuffer rest = ByteBuffer.wrap(body, 0, 0);
      ByteBuffer[] request = {first, rest};
      while (first.hasRemaining() || rest.position() < length) {
        // At most a slice of the body per write: the JDK copies what a write is given into a
        // direct buffer (kept per thread), and again, from the start, whatever the socket did not
        // take.
        rest.limit(Math.min(length, rest.position() + WRITE_SLICE_BYTES));
        if (channel.write(request) == 0) {
          await(SelectionKey.OP_WRITE, deadlineNanos, SENDING);
        }
      }
    }

    /** Reads the answer: interim (1xx) answers skipped, the body framed as its head says. */
    Answer receive(long deadlineNanos) throws IOException, InterruptedException {
      while (true) {
        Head head = readHead(deadlineNanos);
        if (head.status >= 100 && head.status < 200) {
          if (head.status == 101) {
            throw new ProtocolException("the receiver switched protocols (HTTP 101)");
          }
          continue;
        }
        Body body = new Body(transport.maxBodyBytes);
        boolean framed = readBody(head, body, deadlineNanos);
        reusable = framed && head.keepAlive && position == limit;
        return new Answer(head.status, body.bytes(), head.retryAfter);
      }
    }

    private Head readHead(long deadlineNanos) throws IOException, InterruptedException {
      int headBytes = 0;
      String statusLine = readStatusLine(deadlineNanos);
      headBytes += statusLine.length();
      Head head = Head.parse(statusLine);
      while (true) {
        String line = readLine(deadlineNanos);
        headBytes += line.length() + 2;
        if (headBytes > MAX_HEAD_BYTES) {
          throw new ProtocolException("the answer's head is longer than " + MAX_HEAD_BYTES + " B");
        }
        if (line.isEmpty()) {
          return head;
        }
        head.field(line);
      }
    }

    /**
     * The status line; bytes that cannot begin one fail the answer at once rather than when the
     * export's time is up (a gRPC port, another service).
     */
    private String readStatusLine(long deadlineNanos) throws IOException, InterruptedException {
      while (limit - position < Head.PREFIX.length) {
        if (prefixMismatch()) {
          break;
        }
        if (!fill(deadlineNanos)) {
          throw limit == position
              ? new EOFException(
                  "the receiver at " + transport.where + " closed the connection without answering")
              : new ProtocolException("invalid status line: " + unread());
        }
      }
      if (prefixMismatch()) {
        throw new ProtocolException("invalid status line: " + unread());
      }
      return readLine(deadlineNanos);
    }

    private boolean prefixMismatch() {
      for (int i = 0; i < Head.PREFIX.length && position + i < limit; i++) {
        if (buffer[position + i] != Head.PREFIX[i]) {
          return true;
        }
      }
      return false;
    }

    /** What is unread, as far as its first line, for a message. */
    private String unread() {
      int end = position;
      while (end < limit && end - position < 80 && buffer[end] != '\n') {
        end++;
      }
      return new String(buffer, position, end - position, ISO_8859_1);
    }

    /** The next line, without its CRLF (a bare LF also ends it). */
    private String readLine(long deadlineNanos) throws IOException, InterruptedException {
      int scanned = 0;
      while (true) {
        for (int i = position + scanned; i < limit; i++) {
          if (buffer[i] == '\n') {
            int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
            String line = new String(buffer, position, end - position, ISO_8859_1);
            position = i + 1;
            return line;
          }
        }
        scanned = limit - position;
        if (!fill(deadlineNanos)) {
          throw cutShort();
        }
      }
    }

    /**
     * @return whether the body's end was found by its framing (Content-Length, chunked), rather
     *     than by the connection's end or left unread
     */
    private boolean readBody(Head head, Body body, long deadlineNanos)
        throws IOException, InterruptedException {
      if (head.status == 204 || head.status == 304) {
        return true;
      }
      if (head.chunked) {
        return readChunks(body, deadlineNanos);
      }
      if (head.contentLength >= 0) {
        return read(head.contentLength, body, deadlineNanos);
      }
      // Neither length nor chunks: the body ends with the connection.
      while (!body.full()) {
        if (position == limit && !fill(deadlineNanos)) {
          break;
        }
        body.add(buffer, position, limit - position);
        position = limit;
      }
      return false;
    }

    private boolean readChunks(Body body, long deadlineNanos)
        throws IOException, InterruptedException {
      while (true) {
        String sizeLine = readLine(deadlineNanos);
        int extension = sizeLine.indexOf(';');
        long size;
        try {
          size =
              Long.parseLong(
                  (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim(), 16);
        } catch (NumberFormatException e) {
          throw new ProtocolException("invalid chunk size in the answer: " + sizeLine);
        }
        if (size < 0) {
          throw new ProtocolException("invalid chunk size in the answer: " + sizeLine);
        }
        if (size == 0) {
          // Trailer fields, if any, up to the empty line.
          while (!readLine(deadlineNanos).isEmpty()) {
            // Not used.
          }
          return true;
        }
        if (!read(size, body, deadlineNanos)) {
          return false;
        }
        if (!readLine(deadlineNanos).isEmpty()) {
          throw new ProtocolException("a chunk of the answer is longer than its size");
        }
      }
    }

    /**
     * @return false when the body is too long to read on: the rest is left, the connection closed
     */
    private boolean read(long length, Body body, long deadlineNanos)
        throws IOException, InterruptedException {
      long left = length;
      while (left > 0) {
        if (body.full()) {
          return false;
        }
        if (position == limit && !fill(deadlineNanos)) {
          throw cutShort();
        }
        int take = (int) Math.min(left, limit - position);
        body.add(buffer, position, take);
        position += take;
        left -= take;
      }
      return true;
    }

    private EOFException cutShort() {
      return new EOFException(
          "the receiver at "
              + transport.where
              + " closed the connection in the middle of its answer");
    }

    /**
     * Reads what has arrived, waiting for at least one byte.
     *
     * @return false at the end of the stream
     */
    private boolean fill(long deadlineNanos) throws IOException, InterruptedException {
      if (position == limit) {
        position = 0;
        limit = 0;
      } else if (limit == buffer.length) {
        if (position > 0) {
          System.arraycopy(buffer, position, buffer, 0, limit - position);
          limit -= position;
          position = 0;
        } else if (buffer.length < MAX_HEAD_BYTES) {
          buffer = Arrays.copyOf(buffer, buffer.length * 2);
          view = ByteBuffer.wrap(buffer);
        } else {
          throw new ProtocolException("a line of the answer is longer than " + MAX_HEAD_BYTES);
        }
      }
      while (true) {
        view.limit(buffer.length).position(limit);
        int read = channel.read(view);
        if (read > 0) {
          limit += read;
          answerStarted = true;
          return true;
        }
        if (read < 0) {
          return false;
        }
        await(SelectionKey.OP_READ, deadlineNanos, ANSWERING);
      }
    }

    /** Waits until the channel is ready for {@code operation}, or the deadline. */
    private void await(int operation, long deadlineNanos, String phase)
        throws IOException, InterruptedException {
      long remaining = deadlineNanos == Long.MAX_VALUE ? 0 : deadlineNanos - System.nanoTime();
      if (deadlineNanos != Long.MAX_VALUE && remaining <= 0) {
        throw transport.timeout(phase, connectLimitedByTimeout);
      }
      key.interestOps(operation);
      selector.selectedKeys().clear();
      if (remaining == 0) {
        selector.select();
      } else {
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }

    void close() {
      try {
        if (selector != null) {
          selector.close();
        }
      } catch (IOException ignored) {
        // Closing anyway.
      }
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // Closed as far as this side goes.
      }
    }
  }

  /** An answer's status line and the header fields that matter here. */
  private static final class Head {
    static final byte[] PREFIX = "HTTP/1.".getBytes(ISO_8859_1);

    final int status;
    boolean keepAlive;
    boolean chunked;
    long contentLength = -1;
    String retryAfter;

    private Head(int status, boolean keepAlive) {
      this.status = status;
      this.keepAlive = keepAlive;
    }

    /** {@code HTTP/1.x SSS reason}: HTTP/1.1 keeps the connection open unless told otherwise. */
    static Head parse(String line) throws ProtocolException {
      if (line.length() < 12
          || !line.startsWith("HTTP/1.")
          || line.charAt(8) != ' '
          || (line.length() > 12 && line.charAt(12) != ' ')) {
        throw new ProtocolException("invalid status line: " + line);
      }
      int status = 0;
      for (int i = 9; i < 12; i++) {
        char digit = line.charAt(i);
        if (digit < '0' || digit > '9') {
          throw new ProtocolException("invalid status line: " + line);
        }
        status = status * 10 + (digit - '0');
      }
      return new Head(status, line.charAt(7) == '1');
    }

    void field(String line) throws ProtocolException {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("invalid header line in the answer: " + line);
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        long length;
        try {
          length = Long.parseLong(value);
        } catch (NumberFormatException e) {
          length = -1;
        }
        if (length < 0 || (contentLength >= 0 && contentLength != length)) {
          throw new ProtocolException("invalid Content-Length in the answer: " + value);
        }
        contentLength = length;
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        // Chunked is last when present; other codings end with the connection.
        chunked = value.regionMatches(true, Math.max(0, value.length() - 7), "chunked", 0, 7);
        if (!chunked) {
          keepAlive = false;
        }
      } else if (name.equalsIgnoreCase("Connection")) {
        if (containsToken(value, "close")) {
          keepAlive = false;
        } else if (containsToken(value, "keep-alive")) {
          keepAlive = true;
        }
      } else if (name.equalsIgnoreCase("Retry-After")) {
        retryAfter = value;
      }
    }

    private static boolean containsToken(String list, String token) {
      for (String part : list.split(",")) {
        if (part.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
      return false;
    }
  }

  /** The part of an answer's body that is kept, and how much beyond it was thrown away. */
  private static final class Body {
    private final int limit;
    private byte[] bytes = NO_BYTES;
    private int size;
    private long skipped;

    Body(int limit) {
      this.limit = limit;
    }

    void add(byte[] source, int offset, int length) {
      int keep = Math.min(length, limit - size);
      if (keep > 0) {
        if (size + keep > bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + keep, bytes.length * 2)));
        }
        System.arraycopy(source, offset, bytes, size, keep);
        size += keep;
      }
      skipped += length - keep;
    }

    /** Whether reading on would only throw away more than is worth keeping the connection for. */
    boolean full() {
      return skipped > MAX_SKIPPED_BYTES;
    }

    byte[] bytes() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }
}
