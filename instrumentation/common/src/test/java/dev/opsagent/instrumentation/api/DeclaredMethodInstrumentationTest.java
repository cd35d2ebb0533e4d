/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

class DeclaredMethodInstrumentationTest {

  /** Declares {@code run(String, Integer)}: the descriptor the instrumentation looks for. */
  static final class Declares {
    void run(String name, Integer count) {}
  }

  /** Only calls a method of that descriptor. */
  static final class Calls {
    void call(Declares declares) {
      declares.run("x", 1);
    }
  }

  private static final String DESCRIPTOR = "(Ljava/lang/String;Ljava/lang/Integer;)V";

  private final DeclaredMethodInstrumentation instrumentation =
      new DeclaredMethodInstrumentation("run", new String[] {DESCRIPTOR}, "Advice");

  @Test
  void aClassWhoseFileNamesTheDescriptorMayMatchOthersCannot() throws IOException {
    assertThat(instrumentation.mayMatch(internalName(Declares.class), classFile(Declares.class)))
        .isTrue();
    assertThat(
            instrumentation.mayMatch(
                internalName(DeclaredMethodInstrumentationTest.class), classFile(Runnable.class)))
        .isFalse();
  }

  @Test
  void withoutItsClassFileOrInTheJdkNothingMayMatch() throws IOException {
    assertThat(instrumentation.mayMatch(internalName(Declares.class), null)).isFalse();
    assertThat(instrumentation.mayMatch("java/lang/Fake", classFile(Declares.class))).isFalse();
  }

  @Test
  void onlyAClassThatDeclaresTheMethodMatches() {
    assertThat(
            instrumentation.typeMatcher().matches(TypeDescription.ForLoadedType.of(Declares.class)))
        .isTrue();
    assertThat(instrumentation.typeMatcher().matches(TypeDescription.ForLoadedType.of(Calls.class)))
        .as("names the descriptor, declares no such method")
        .isFalse();
  }

  /** An interface such as {@code AsyncContext}, whose method's descriptor is a common one. */
  interface Starter {
    void start(Runnable task);
  }

  static final class ImplementsStarter implements Starter {
    @Override
    public void start(Runnable task) {}
  }

  static final class OnlyLooksLikeAStarter {
    public void start(Runnable task) {}
  }

  @Test
  void aCommonDescriptorMatchesOnlyTheImplementationsOfTheSuperType() throws IOException {
    DeclaredMethodInstrumentation starters =
        new DeclaredMethodInstrumentation(
            "start",
            new String[] {"(Ljava/lang/Runnable;)V"},
            "Advice",
            new String[] {Starter.class.getName()});

    assertThat(
            starters.mayMatch(
                internalName(ImplementsStarter.class), classFile(ImplementsStarter.class)))
        .isTrue();
    assertThat(
            starters.mayMatch(
                internalName(OnlyLooksLikeAStarter.class), classFile(OnlyLooksLikeAStarter.class)))
        .as("does not name the super type")
        .isFalse();
    assertThat(
            starters
                .typeMatcher()
                .matches(TypeDescription.ForLoadedType.of(ImplementsStarter.class)))
        .isTrue();
    assertThat(
            starters
                .typeMatcher()
                .matches(TypeDescription.ForLoadedType.of(OnlyLooksLikeAStarter.class)))
        .isFalse();
  }

  @Test
  void containsFindsAPartAnywhereAndNothingElse() {
    byte[] bytes = bytes("abcabd");
    assertThat(DeclaredMethodInstrumentation.contains(bytes, bytes("abd"))).isTrue();
    assertThat(DeclaredMethodInstrumentation.contains(bytes, bytes("abca"))).isTrue();
    assertThat(DeclaredMethodInstrumentation.contains(bytes, bytes("abe"))).isFalse();
    assertThat(DeclaredMethodInstrumentation.contains(bytes, bytes("abcabdx"))).isFalse();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String internalName(Class<?> type) {
    return type.getName().replace('.', '/');
  }

  private static byte[] classFile(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream("/" + internalName(type) + ".class")) {
      return in.readAllBytes();
    }
  }
}
