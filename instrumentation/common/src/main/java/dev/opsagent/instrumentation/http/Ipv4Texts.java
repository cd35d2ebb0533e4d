/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The text of IPv4 addresses ({@code 10.0.0.7}), one string per address, kept in a small table:
 * {@code InetAddress.getHostAddress} builds a new string (and a {@code StringBuilder}) on every
 * call, about 110 bytes per request for {@code network.peer.address}, where a server sees the same
 * clients again and again. An address that collides with another in the table is written again and
 * replaces it; the table never grows. Entries are immutable and published through their final
 * fields.
 *
 * <p>An {@code Inet4Address}'s hash code is its address, as an {@code int}, in every JDK: the table
 * is keyed by it, so that no {@code byte[]} is copied out of the address. Should a JDK ever hash
 * otherwise (checked once, at start-up), every address is written anew, as before.
 */
final class Ipv4Texts {

  private static final int SIZE = 256;

  private static final boolean HASH_IS_ADDRESS = hashIsAddress();

  private static final Entry[] TABLE = new Entry[SIZE];

  private Ipv4Texts() {}

  /**
   * @return {@code ip.getHostAddress()}, for an {@code Inet4Address}
   */
  static String of(InetAddress ip) {
    if (!HASH_IS_ADDRESS) {
      return ip.getHostAddress();
    }
    int address = ip.hashCode();
    int index = (address ^ (address >>> 16) ^ (address >>> 8)) & (SIZE - 1);
    Entry entry = TABLE[index];
    if (entry != null && entry.address == address) {
      return entry.text;
    }
    String text = ip.getHostAddress();
    TABLE[index] = new Entry(address, text);
    return text;
  }

  private static boolean hashIsAddress() {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, 2}).hashCode()
              == 0xC0A80102
          && InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) 255}).hashCode() == 0x0A0000FF;
    } catch (UnknownHostException | RuntimeException e) {
      return false;
    }
  }

  private static final class Entry {
    final int address;
    final String text;

    Entry(int address, String text) {
      this.address = address;
      this.text = text;
    }
  }
}
