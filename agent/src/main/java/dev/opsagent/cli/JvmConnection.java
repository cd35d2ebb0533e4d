/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.Optional;
import java.util.Properties;

/** A JVM this command is attached to. Closing it detaches the command, not the agent. */
interface JvmConnection extends AutoCloseable {

  /** The JVM's system properties, opsagent's published state among them. */
  Properties systemProperties() throws AttachFailure;

  /** The JVM's agent properties: {@code sun.jvm.args}, {@code sun.jvm.flags}, ... */
  Properties agentProperties() throws AttachFailure;

  /**
   * Loads {@code agentJar} into the JVM, which calls its {@code agentmain(options)}, and returns
   * when {@code agentmain} has.
   */
  void loadAgent(String agentJar, String options) throws AttachFailure;

  /**
   * The JVM's thread dump ({@code jcmd <pid> Thread.print}), or empty when this runtime does not
   * let the command ask for it (it needs {@code sun.tools.attach} exported, as the jar's manifest
   * does for {@code java -jar}).
   */
  Optional<String> threadDump() throws AttachFailure;

  @Override
  void close();
}
