/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectionsTest {

  @Test
  void ipOfASocketAddressHasNoBrackets() throws Exception {
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 8080);
    InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 54321);

    assertThat(Connections.ip(v6)).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(Connections.ip(v4)).isEqualTo("10.0.0.5");
    assertThat(Connections.port(v4)).isEqualTo(54321);
  }

  @Test
  void ipv4TextsAreKeptPerAddressAndNeverMixedUp() throws Exception {
    // More addresses than the table has places: every one gives its own text, the second time too.
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 1024; i++) {
        String text = "10." + (i >> 8) + "." + (i & 0xff) + "." + (255 - (i & 0xff));
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName(text), 40000);
        assertThat(Connections.ip(peer)).isEqualTo(text);
      }
    }
    InetSocketAddress same = new InetSocketAddress(InetAddress.getByName("192.168.7.9"), 1);
    assertThat(Connections.ip(same)).isSameAs(Connections.ip(same));
  }

  @Test
  void unresolvedAddressGivesItsHostName() {
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("backend", 80);

    assertThat(Connections.ip(unresolved)).isEqualTo("backend");
  }

  @Test
  void anEndThatIsNoInternetSocketHasNoIpOrPort() {
    SocketAddress unixSocket = new SocketAddress() {};

    assertThat(Connections.ip(unixSocket)).isNull();
    assertThat(Connections.port(unixSocket)).isEqualTo(-1);
    assertThat(Connections.ip(null)).isNull();
    assertThat(Connections.port(null)).isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      value = {
        "HTTP/1.1, 1.1",
        "HTTP/1.0, 1.0",
        "HTTP/2.0, 2",
        "HTTP/2, 2",
        "HTTP/3.0, 3",
        "HTTP/0.9, 0.9",
        "HTTP/9.9, 9.9",
        "NULL, NULL",
        "HTTP/1.1xyz, NULL",
        "HTTP/11111, NULL",
        "HTTP/, NULL",
        "HTTP/x.1, NULL",
        "FOO/1.1, NULL",
        "1.1, NULL"
      },
      nullValues = "NULL")
  void httpVersionOfAProtocolName(String protocol, String version) {
    assertThat(Connections.httpVersion(protocol)).isEqualTo(version);
  }
}
