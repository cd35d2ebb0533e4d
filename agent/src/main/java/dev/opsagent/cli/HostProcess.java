/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A process of this host as the operating system shows it, without attaching to it: whether it
 * exists, who owns it, whether it is a JVM, and its command line. On Linux from {@code /proc}; on
 * other systems what {@link ProcessHandle} tells.
 */
final class HostProcess {

  /** Whether the JVM's memory map says it: Linux, {@code /proc/<pid>/maps} readable. */
  enum JvmEvidence {
    JVM,
    NOT_A_JVM,
    UNKNOWN
  }

  private static final Path PROC = Path.of("/proc");
  private static final int ROOT_UID = 0;

  /** Launcher options whose value is the next argument (all others are one argument). */
  private static final Set<String> OPTIONS_WITH_VALUE =
      Set.of(
          "-cp",
          "-classpath",
          "--class-path",
          "-p",
          "--module-path",
          "--upgrade-module-path",
          "--add-modules",
          "--limit-modules",
          "--add-reads",
          "--add-exports",
          "--add-opens",
          "--patch-module",
          "--enable-native-access",
          "--source");

  private final ProcessHandle handle;

  private HostProcess(ProcessHandle handle) {
    this.handle = handle;
  }

  /** The live process {@code pid}, or empty if there is none. */
  static Optional<HostProcess> of(long pid) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(HostProcess::new);
  }

  long pid() {
    return handle.pid();
  }

  /** Whether this is the JVM running this command. */
  boolean isCurrent() {
    return handle.pid() == ProcessHandle.current().pid();
  }

  /** The user that owns the process, {@code ?} if the system does not tell. */
  String owner() {
    Path proc = procDirectory();
    if (Files.isDirectory(proc)) {
      try {
        return Files.getOwner(proc).getName();
      } catch (IOException | UnsupportedOperationException e) {
        // Below: what ProcessHandle tells.
      }
    }
    return handle.info().user().orElse("?");
  }

  /**
   * Whether another user than this command's owns the process, so that the attach mechanism would
   * refuse this command (root may attach to every JVM).
   */
  boolean ownedByAnotherUser() {
    Optional<Integer> targetUid = uid(procDirectory());
    Optional<Integer> ownUid = uid(PROC.resolve("self"));
    if (targetUid.isPresent() && ownUid.isPresent()) {
      return ownUid.get() != ROOT_UID && !targetUid.get().equals(ownUid.get());
    }
    String user = currentUser();
    String owner = owner();
    return !user.equals("root") && !owner.equals("?") && !owner.equals(user);
  }

  /** The user running this command. */
  static String currentUser() {
    return System.getProperty("user.name", "?");
  }

  /**
   * Whether the process has a JVM loaded: {@code libjvm} in its memory map. Read without touching
   * the process, unlike an attach attempt, which signals it (SIGQUIT) and waits for an answer.
   */
  JvmEvidence jvmEvidence() {
    Path maps = procDirectory().resolve("maps");
    try (Stream<String> lines = Files.lines(maps, UTF_8)) {
      return lines.anyMatch(line -> line.endsWith("/libjvm.so") || line.contains("/libjvm.so "))
          ? JvmEvidence.JVM
          : JvmEvidence.NOT_A_JVM;
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return JvmEvidence.UNKNOWN;
    }
  }

  /** The process's command line: the program and its arguments; empty if unreadable. */
  List<String> commandLine() {
    try {
      byte[] bytes = Files.readAllBytes(procDirectory().resolve("cmdline"));
      String text = new String(bytes, UTF_8);
      if (!text.isEmpty()) {
        return Arrays.asList(text.split("\0"));
      }
    } catch (IOException | SecurityException e) {
      // Below: what ProcessHandle tells.
    }
    ProcessHandle.Info info = handle.info();
    List<String> commandLine = new ArrayList<>();
    info.command().ifPresent(commandLine::add);
    info.arguments().ifPresent(arguments -> commandLine.addAll(Arrays.asList(arguments)));
    return commandLine;
  }

  /** The program's file name, e.g. {@code sleep}; {@code ?} if unknown. */
  String programName() {
    List<String> commandLine = commandLine();
    if (commandLine.isEmpty()) {
      return "?";
    }
    String program = commandLine.get(0);
    return program.substring(program.lastIndexOf('/') + 1);
  }

  /** The main class or jar from the JVM's command line, {@code ?} if it cannot be told. */
  String mainFromCommandLine() {
    return mainFromCommandLine(commandLine());
  }

  /**
   * The main class or jar of a {@code java} command line: the first argument that is not an option,
   * the jar after {@code -jar}, the class after {@code -m module/}.
   */
  static String mainFromCommandLine(List<String> commandLine) {
    for (int i = 1; i < commandLine.size(); i++) {
      String argument = commandLine.get(i);
      if (argument.equals("-jar") || argument.equals("-m") || argument.equals("--module")) {
        if (i + 1 == commandLine.size()) {
          return "?";
        }
        String main = commandLine.get(i + 1);
        return main.substring(main.indexOf('/') + 1);
      }
      if (OPTIONS_WITH_VALUE.contains(argument)) {
        i++;
      } else if (!argument.startsWith("-") && !argument.startsWith("@")) {
        return argument;
      }
    }
    return "?";
  }

  /**
   * The PIDs of the JVMs that publish performance data ({@code /tmp/hsperfdata_<user>/<pid>}, which
   * {@code jps} reads), those that refuse attaching and those of other users included.
   */
  static Set<Long> perfDataPids() {
    Set<Long> pids = new TreeSet<>();
    Path temporary =
        Path.of(Files.isDirectory(PROC) ? "/tmp" : System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> users = Files.newDirectoryStream(temporary, "hsperfdata_*")) {
      for (Path user : users) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(user)) {
          for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.matches("[0-9]{1,18}")) {
              pids.add(Long.parseLong(name));
            }
          }
        } catch (IOException | SecurityException e) {
          // A user's folder this user may not read: its JVMs stay out of the list.
        }
      }
    } catch (IOException | SecurityException e) {
      // No temporary folder to read: VirtualMachine.list() alone says which JVMs there are.
    }
    return pids;
  }

  private Path procDirectory() {
    return PROC.resolve(Long.toString(handle.pid()));
  }

  private static Optional<Integer> uid(Path path) {
    try {
      return Optional.of((Integer) Files.getAttribute(path, "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
