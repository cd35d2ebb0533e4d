/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.export.HttpResponse;
import java.io.IOException;
import java.util.List;

/**
 * One attempt of an export, as {@link JdkHttpSender} makes it: a POST to the endpoint, its answer
 * read. The sender writes the body, chooses the headers and tries again; a transport carries the
 * bytes: {@link SocketHttpTransport} to plain {@code http://} endpoints, {@link JdkClientTransport}
 * through the JDK's {@code HttpClient} over TLS or a proxy.
 */
interface HttpTransport {

  /**
   * @param fields header names and values, alternating; valid in HTTP, none of those the transport
   *     sets itself ({@code Host}, {@code Content-Length}, {@code Connection}...)
   * @param body the request's body, the first {@code length} bytes
   * @param deadlineNanos the {@link System#nanoTime()} by which the answer must have arrived;
   *     {@link Long#MAX_VALUE}: none
   * @return the answer, its body cut at the configured size
   * @throws IOException no answer: refused, reset, timed out, or not HTTP ({@link
   *     java.net.ProtocolException})
   * @throws InterruptedException the exporting thread was told to stop
   */
  Answer post(List<String> fields, byte[] body, int length, long deadlineNanos)
      throws IOException, InterruptedException;

  /** Closes the connections; an exchange under way fails. */
  void close();

  /** The receiver's answer, as the SDK reads it, with what {@code Retry-After} said. */
  final class Answer implements HttpResponse {
    private final int status;
    private final byte[] body;
    private final String retryAfter;

    Answer(int status, byte[] body, String retryAfter) {
      this.status = status;
      this.body = body;
      this.retryAfter = retryAfter;
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    /** HTTP/2 has no reason phrase, and the JDK client gives none for HTTP/1.1 either. */
    @Override
    public String getStatusMessage() {
      return String.valueOf(status);
    }

    @Override
    public byte[] getResponseBody() {
      return body;
    }

    /**
     * @return the {@code Retry-After} header's value, null without one
     */
    String retryAfter() {
      return retryAfter;
    }
  }
}
