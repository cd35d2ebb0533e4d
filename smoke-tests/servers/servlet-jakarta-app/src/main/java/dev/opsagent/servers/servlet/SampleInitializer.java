/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registers the sample servlets and filter with the servlet API alone, no web.xml, so that every
 * container runs the same application with the same mappings. Embedded servers call it explicitly;
 * a standalone container finds it through {@code META-INF/services} in the war.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>{@code /hello} (exact)</td><td>200 {@code hello}</td></tr>
 *   <tr><td>{@code /users/*} (prefix)</td><td>200, the path info ({@code /42})</td></tr>
 *   <tr><td>{@code *.do} (extension)</td><td>200 {@code do:<servlet path>}</td></tr>
 *   <tr><td>{@code /fail}</td><td>throws a {@code ServletException}: the container answers 500</td></tr>
 *   <tr><td>{@code /send-error?status=S}</td><td>{@code sendError(S)}, 503 by default</td></tr>
 *   <tr><td>{@code /async?ms=M}</td><td>asynchronous: a worker thread burns M ms of its own CPU
 *       time (50 by default), then 200 {@code async done}</td></tr>
 *   <tr><td>{@code /async-start?ms=M}</td><td>asynchronous: the container's pool ({@code
 *       AsyncContext.start}) burns M ms of CPU time (50 by default), then 200 {@code async
 *       done}</td></tr>
 *   <tr><td>{@code /async-dispatch}</td><td>asynchronous: a worker thread dispatches to
 *       {@code /hello}</td></tr>
 *   <tr><td>{@code /async-timeout}</td><td>asynchronous, never completed: after 200 ms the
 *       container times it out and a listener answers 504 {@code async timeout}</td></tr>
 *   <tr><td>{@code /forward}</td><td>forwards to {@code /hello}</td></tr>
 *   <tr><td>{@code /include}</td><td>200 {@code include:hello}, including {@code /hello}</td></tr>
 * </table>
 *
 * <p>A filter on {@code /*} (requests only, not forwards, includes or async dispatches) adds {@code
 * X-Filtered: yes} to every response. The worker threads stop when the context is destroyed, so
 * that undeploying a war leaves none of its threads behind.
 */
public final class SampleInitializer implements ServletContainerInitializer {

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    ExecutorService workers = Executors.newFixedThreadPool(2, new WorkerThreads());
    context.addListener(new WorkersShutdown(workers));

    FilterRegistration.Dynamic filter = context.addFilter("marking", new MarkingFilter());
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");

    add(context, "hello", new SampleServlets.Hello(), "/hello");
    add(context, "users", new SampleServlets.Users(), "/users/*");
    add(context, "extension", new SampleServlets.Extension(), "*.do");
    add(context, "fail", new SampleServlets.Fail(), "/fail");
    add(context, "send-error", new SampleServlets.SendError(), "/send-error");
    add(context, "async", new SampleServlets.Async(workers), "/async");
    add(context, "async-start", new SampleServlets.AsyncStart(), "/async-start");
    add(context, "async-dispatch", new SampleServlets.AsyncDispatch(workers), "/async-dispatch");
    add(context, "async-timeout", new SampleServlets.AsyncTimeout(), "/async-timeout");
    add(context, "forward", new SampleServlets.Forward(), "/forward");
    add(context, "include", new SampleServlets.Include(), "/include");
  }

  private static void add(ServletContext context, String name, Servlet servlet, String mapping) {
    ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
    registration.setAsyncSupported(true);
    registration.addMapping(mapping);
  }

  /** Daemon threads named {@code sample-worker-N}. */
  private static final class WorkerThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "sample-worker-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }

  /** Stops the worker threads with the context. */
  private static final class WorkersShutdown implements ServletContextListener {
    private final ExecutorService workers;

    WorkersShutdown(ExecutorService workers) {
      this.workers = workers;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {}

    @Override
    public void contextDestroyed(ServletContextEvent event) {
      workers.shutdownNow();
    }
  }
}
