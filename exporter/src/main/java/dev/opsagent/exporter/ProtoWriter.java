/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.util.Arrays;

/**
 * Protocol Buffers wire format written front to back into one growable array, in a single pass: a
 * nested message gets a one-byte length before its body, moved up in the rare case the body turns
 * out longer than 127 bytes. The SDK's marshalers walk every span twice (sizes, then bytes) and
 * encode every string twice; this is what most of the agent's export time went to.
 */
final class ProtoWriter {

  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private byte[] bytes;
  private int size;

  ProtoWriter(int capacity) {
    bytes = new byte[capacity];
  }

  byte[] array() {
    return bytes;
  }

  int size() {
    return size;
  }

  int capacity() {
    return bytes.length;
  }

  void reset() {
    size = 0;
  }

  void tag(int field, int wireType) {
    varint32((field << 3) | wireType);
  }

  /** An unsigned 32-bit varint. */
  void varint32(int value) {
    ensure(5);
    while ((value & ~0x7F) != 0) {
      bytes[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    bytes[size++] = (byte) value;
  }

  /** A 64-bit varint; negative numbers take ten bytes, as protobuf's int64 does. */
  void varint64(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    bytes[size++] = (byte) value;
  }

  void fixed64(long value) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  void fixed32(int value) {
    ensure(4);
    for (int i = 0; i < 4; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  /** A field of wire type varint holding an unsigned int; omitted when 0 (the proto3 default). */
  void uint32Field(int field, int value) {
    if (value != 0) {
      tag(field, VARINT);
      varint32(value);
    }
  }

  void fixed64Field(int field, long value) {
    if (value != 0) {
      tag(field, FIXED64);
      fixed64(value);
    }
  }

  /** A string field, omitted when empty (the proto3 default). */
  void stringField(int field, String value) {
    if (!value.isEmpty()) {
      string(field, value);
    }
  }

  /** A string field even when empty: for a {@code oneof}, whose presence means something. */
  void string(int field, String value) {
    int body = begin(field);
    utf8(value);
    end(body);
  }

  void bytesField(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    varint32(value.length);
    raw(value, 0, value.length);
  }

  void raw(byte[] source, int offset, int length) {
    ensure(length);
    System.arraycopy(source, offset, bytes, size, length);
    size += length;
  }

  /**
   * Writes the bytes a hexadecimal ID stands for (a trace ID's 32 characters, a span ID's 16), as a
   * length-delimited field.
   */
  void hexIdField(int field, String hex) {
    int length = hex.length() / 2;
    tag(field, LENGTH_DELIMITED);
    varint32(length);
    ensure(length);
    for (int i = 0; i < length; i++) {
      bytes[size++] = (byte) ((nibble(hex.charAt(2 * i)) << 4) | nibble(hex.charAt(2 * i + 1)));
    }
  }

  private static int nibble(char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  }

  /**
   * Starts a length-delimited field.
   *
   * @return where its body starts, for {@link #end}
   */
  int begin(int field) {
    tag(field, LENGTH_DELIMITED);
    ensure(1);
    size++;
    return size;
  }

  /** Ends the field {@link #begin} started, writing its length before its body. */
  void end(int body) {
    int length = size - body;
    if (length < 0x80) {
      bytes[body - 1] = (byte) length;
      return;
    }
    int lengthSize = varint32Size(length);
    ensure(lengthSize - 1);
    System.arraycopy(bytes, body, bytes, body + lengthSize - 1, length);
    int end = size + lengthSize - 1;
    size = body - 1;
    varint32(length);
    size = end;
  }

  static int varint32Size(int value) {
    int bits = 32 - Integer.numberOfLeadingZeros(value | 1);
    return (bits + 6) / 7;
  }

  /**
   * UTF-8, as {@link String#getBytes} with {@code UTF_8} gives it (an unpaired surrogate becomes
   * {@code ?}), without the intermediate array.
   */
  void utf8(String value) {
    int length = value.length();
    ensure(length);
    // Most attribute values are ASCII: one byte a char, no checks beyond this loop's (locals, so
    // that the JIT keeps them in registers).
    byte[] out = bytes;
    int start = size;
    int i = 0;
    for (char c; i < length && (c = value.charAt(i)) < 0x80; i++) {
      out[start + i] = (byte) c;
    }
    size = start + i;
    for (; i < length; i++) {
      char c = value.charAt(i);
      ensure(4);
      if (c < 0x80) {
        bytes[size++] = (byte) c;
      } else if (c < 0x800) {
        bytes[size++] = (byte) (0xC0 | (c >> 6));
        bytes[size++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        int codePoint = Character.codePointAt(value, i);
        if (codePoint == c) {
          bytes[size++] = '?';
          continue;
        }
        i++;
        bytes[size++] = (byte) (0xF0 | (codePoint >> 18));
        bytes[size++] = (byte) (0x80 | ((codePoint >> 12) & 0x3F));
        bytes[size++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
        bytes[size++] = (byte) (0x80 | (codePoint & 0x3F));
      } else {
        bytes[size++] = (byte) (0xE0 | (c >> 12));
        bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        bytes[size++] = (byte) (0x80 | (c & 0x3F));
      }
    }
  }

  private void ensure(int more) {
    if (bytes.length - size < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
