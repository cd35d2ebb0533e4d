/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** Hidden values are process-wide: each test hides values of its own. */
class HiddenValuesTest {

  @Test
  void hiddenValueIsMaskedWhereverItOccurs() {
    HiddenValues.hide(Collections.singletonList("key-0001-aaaa"));

    assertThat(HiddenValues.mask("answer: api-key=key-0001-aaaa; again key-0001-aaaa"))
        .isEqualTo("answer: api-key=<hidden>; again <hidden>");
  }

  @Test
  void credentialsOfASchemeValueAreMaskedAloneToo() {
    HiddenValues.hide(Collections.singletonList("Bearer tok-0002-bbbb"));

    assertThat(HiddenValues.mask("authorization=Bearer tok-0002-bbbb"))
        .isEqualTo("authorization=<hidden>");
    assertThat(HiddenValues.mask("invalid token tok-0002-bbbb"))
        .isEqualTo("invalid token <hidden>");
  }

  @Test
  void valueContainingAnotherIsMaskedWhole() {
    HiddenValues.hide(Arrays.asList("k3-cccc", "k3-cccc-longer"));

    assertThat(HiddenValues.mask("x k3-cccc-longer y")).isEqualTo("x <hidden> y");
  }

  @Test
  void shortValuesAreLeftAlone() {
    HiddenValues.hide(Arrays.asList("acme", "  "));

    assertThat(HiddenValues.mask("tenant acme")).isEqualTo("tenant acme");
  }

  @Test
  void loggedLinesAndStackTracesAreMasked() {
    HiddenValues.hide(Collections.singletonList("key-0005-eeee"));
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LogLevel.set("info");
    try {
      System.setErr(new PrintStream(captured, true, UTF_8));
      new StderrLogger("dev.opsagent.test.Export")
          .warn(
              "the receiver answered: {}",
              "bad key key-0005-eeee",
              new IllegalArgumentException("refused key-0005-eeee"));
    } finally {
      System.setErr(original);
    }

    assertThat(captured.toString(UTF_8))
        .contains("WARN Export: the receiver answered: bad key <hidden>")
        .contains("IllegalArgumentException: refused <hidden>")
        .doesNotContain("key-0005-eeee");
  }
}
