/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent;

import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells the JVMs the agent must not start in: the JDK's own tools, and opsagent.jar's own command
 * line. {@code JAVA_TOOL_OPTIONS=-javaagent:opsagent.jar}, the usual way into a container, reaches
 * every JVM of that container: {@code jcmd}, {@code jps}, {@code jstack}, {@code keytool}, {@code
 * javac}, {@code jar}, {@code jshell}... and {@code java -jar opsagent.jar}. None of them is the
 * application to monitor, and an agent that starts in them slows them down and prints into their
 * output.
 *
 * <p>The JDK's launchers start their tool as the main module, a module of the JDK's runtime image
 * ({@code jdk.module.main=jdk.jcmd}, {@code sun.java.command=jdk.jcmd/sun.tools.jps.Jps}). Without
 * a main module, the main class of {@code sun.java.command} is checked the same way: a class in a
 * package of a JDK module is the JDK's ({@code java -cp ... com.sun.tools.javac.Main}). The JDK's
 * source launcher ({@code java Server.java}) runs an application and is not a tool.
 *
 * <p>Loaded by the system class loader before anything else of the agent, so it uses the JDK alone:
 * no logging framework, and it never throws. No lambdas and no string concatenation with {@code +}
 * either: the first use of each bootstraps the JDK's support for it, several milliseconds (7 to 10
 * ms for {@code +} here) that a tool would pay for nothing.
 */
final class JdkTools {

  private static final String SOURCE_LAUNCHER_PACKAGE = "com.sun.tools.javac.launcher.";

  /** Where the JDK's tools have their main classes; no application may use java. or jdk. */
  private static final String[] TOOL_PACKAGE_PREFIXES = {"sun.", "com.sun.", "jdk.", "java."};

  private static final String LOG_LEVEL_KEY = "opsagent.log.level";
  private static final String LOG_LEVEL_VARIABLE = "OPSAGENT_LOG_LEVEL";
  private static final String JDK_TOOL = "the JDK tool ";
  private static final String OWN_COMMAND_LINE = "its own command line, ";

  private JdkTools() {}

  /**
   * Whether the agent must not start in this JVM. When it must not and {@code opsagent.log.level}
   * is {@code debug} (or {@code trace}), says so in one line on standard error; else prints
   * nothing.
   *
   * @param agentArguments the string after {@code =} in {@code -javaagent:}, may be {@code null}
   */
  static boolean skipAgent(String agentArguments) {
    try {
      String command = System.getProperty("sun.java.command");
      String classPath = System.getProperty("java.class.path");
      String jvm =
          notForTheAgent(
              ModuleLayer.boot().configuration(),
              System.getProperty("jdk.module.main"),
              command,
              classPath,
              isJarLaunch(command, classPath) ? agentJar() : null);
      if (jvm == null) {
        return false;
      }
      String level =
          firstSet(
              argument(agentArguments, LOG_LEVEL_KEY),
              System.getProperty(LOG_LEVEL_KEY),
              System.getenv(LOG_LEVEL_VARIABLE));
      if (isDebug(level)) {
        System.err.println("[opsagent] DEBUG not starting inside ".concat(jvm));
      }
      return true;
    } catch (RuntimeException | Error e) {
      // The agent starts as it would have without this check.
      return false;
    }
  }

  /**
   * What this JVM runs if the agent must not start in it ({@code "the JDK tool
   * jdk.jcmd/sun.tools.jps.Jps"}), else {@code null}.
   *
   * @param modules the boot layer's modules
   * @param mainModule system property {@code jdk.module.main}, set when launched with {@code -m}
   * @param command system property {@code sun.java.command}: the main class, {@code module/class},
   *     the module or the {@code -jar} file, then the program's arguments
   * @param classPath system property {@code java.class.path}; with {@code -jar}, that jar
   * @param agentJar the agent's jar, or {@code null} if not known
   */
  static String notForTheAgent(
      Configuration modules, String mainModule, String command, String classPath, File agentJar) {
    String main = firstWord(command == null ? "" : command);
    if (mainModule != null && !mainModule.isEmpty()) {
      // java -m module[/class], as the JDK's launchers run their tools.
      String tool = main.startsWith(mainModule) ? main : mainModule;
      return isJdkModule(modules, mainModule) && !isSourceLauncher(tool)
          ? JDK_TOOL.concat(tool)
          : null;
    }
    if (isJarLaunch(command, classPath)) {
      return isSameFile(classPath, agentJar)
          ? OWN_COMMAND_LINE.concat("java -jar ").concat(classPath)
          : null;
    }
    if (main.equals(OpsAgent.class.getName())) {
      return OWN_COMMAND_LINE.concat(main);
    }
    // A main class, or module/class: the source launcher's form (java Server.java).
    int slash = main.indexOf('/');
    boolean jdks =
        slash > 0 ? isJdkModule(modules, main.substring(0, slash)) : isInJdkModule(modules, main);
    return jdks && !isSourceLauncher(main) ? JDK_TOOL.concat(main) : null;
  }

  /** Whether {@code level} (an {@code opsagent.log.level} value, or null) shows debug lines. */
  static boolean isDebug(String level) {
    if (level == null) {
      return false;
    }
    String name = level.trim().toLowerCase(Locale.ROOT);
    return name.equals("debug") || name.equals("trace");
  }

  /**
   * The value of {@code key} in agent arguments ({@code key=value,key=value}), or {@code null}.
   * Enough for a single-word value such as a log level.
   */
  static String argument(String agentArguments, String key) {
    if (agentArguments == null) {
      return null;
    }
    for (String part : agentArguments.split(",")) {
      int equals = part.indexOf('=');
      if (equals > 0 && part.substring(0, equals).trim().equals(key)) {
        return part.substring(equals + 1);
      }
    }
    return null;
  }

  /** A module of the JDK's runtime image with a {@code java.} or {@code jdk.} name. */
  private static boolean isJdkModule(Configuration modules, String name) {
    if (!hasJdkName(name)) {
      return false;
    }
    Optional<ResolvedModule> module = modules.findModule(name);
    return module.isPresent() && isInRuntimeImage(module.get());
  }

  private static boolean hasJdkName(String moduleName) {
    return moduleName.startsWith("java.") || moduleName.startsWith("jdk.");
  }

  /** Whether the package of {@code className} is a JDK module's, in {@code modules} or a parent. */
  private static boolean isInJdkModule(Configuration modules, String className) {
    int dot = className.lastIndexOf('.');
    for (String prefix : TOOL_PACKAGE_PREFIXES) {
      if (dot > 0 && className.startsWith(prefix)) {
        return definesJdkPackage(modules, className.substring(0, dot));
      }
    }
    return false;
  }

  private static boolean definesJdkPackage(Configuration modules, String packageName) {
    for (ResolvedModule module : modules.modules()) {
      if (module.reference().descriptor().packages().contains(packageName)) {
        return hasJdkName(module.name()) && isInRuntimeImage(module);
      }
    }
    for (Configuration parent : modules.parents()) {
      if (definesJdkPackage(parent, packageName)) {
        return true;
      }
    }
    return false;
  }

  /** Modules of the runtime image are at {@code jrt:/<name>}; an application's are not. */
  private static boolean isInRuntimeImage(ResolvedModule module) {
    Optional<URI> location = module.reference().location();
    return location.isPresent() && "jrt".equals(location.get().getScheme());
  }

  /** {@code java Server.java}: the application is the source file, the class a launcher. */
  private static boolean isSourceLauncher(String mainClass) {
    return mainClass.startsWith(SOURCE_LAUNCHER_PACKAGE, mainClass.indexOf('/') + 1);
  }

  /** {@code java -jar <classPath> [arguments]}. */
  private static boolean isJarLaunch(String command, String classPath) {
    return command != null
        && classPath != null
        && !classPath.isEmpty()
        && command.startsWith(classPath)
        && (command.length() == classPath.length() || command.charAt(classPath.length()) == ' ');
  }

  private static String firstWord(String command) {
    int space = command.indexOf(' ');
    return space < 0 ? command : command.substring(0, space);
  }

  private static boolean isSameFile(String path, File file) {
    if (file == null) {
      return false;
    }
    try {
      return new File(path).getCanonicalFile().equals(file.getCanonicalFile());
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  private static File agentJar() {
    CodeSource codeSource = JdkTools.class.getProtectionDomain().getCodeSource();
    URL location = codeSource == null ? null : codeSource.getLocation();
    if (location == null) {
      return null;
    }
    try {
      return new File(location.toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String firstSet(String... values) {
    for (String value : values) {
      if (value != null && !value.trim().isEmpty()) {
        return value;
      }
    }
    return null;
  }
}
