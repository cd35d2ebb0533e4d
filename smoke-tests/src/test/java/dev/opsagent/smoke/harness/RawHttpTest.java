/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RawHttpTest {

  @Test
  void writesTheRequestByteForByteAndReadsTheStatus() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> received =
          CompletableFuture.supplyAsync(() -> answer(server, "HTTP/1.1 431 Too Large\r\n\r\n"));

      int status =
          RawHttp.request(new byte[] {'/', 'a', (byte) 0xFF})
              .method("PROPFIND")
              .version("HTTP/1.1xyz")
              .header("X-Bytes", new byte[] {(byte) 0xC3, '('})
              .header("X-Text", "v")
              .send(server.getLocalPort());

      assertThat(status).isEqualTo(431);
      assertThat(received.get(10, TimeUnit.SECONDS))
          .isEqualTo(
              ("PROPFIND /a\u00ff HTTP/1.1xyz\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      + "X-Bytes: \u00c3(\r\nX-Text: v\r\n\r\n")
                  .getBytes(ISO_8859_1));
    }
  }

  @Test
  void connectionClosedWithoutAnswerIsMinusOne() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> answer(server, ""));

      assertThat(RawHttp.request("/").send(server.getLocalPort())).isEqualTo(-1);
      received.get(10, TimeUnit.SECONDS);
    }
  }

  /** Accepts one connection, reads the request up to its empty line, answers, closes. */
  private static byte[] answer(ServerSocket server, String response) {
    try (Socket socket = server.accept()) {
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      while (!request.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        request.write(b);
      }
      socket.getOutputStream().write(response.getBytes(ISO_8859_1));
      return request.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
