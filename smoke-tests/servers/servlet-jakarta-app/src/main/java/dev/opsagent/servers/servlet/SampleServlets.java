/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The sample servlets, one per endpoint (see {@link SampleInitializer} for what each does). */
final class SampleServlets {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final long ASYNC_TIMEOUT_MILLIS = 200;
  private static volatile long sink;

  private SampleServlets() {}

  /** {@code /hello}: 200 {@code hello}. */
  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      text(response, "hello");
    }
  }

  /** {@code /users/*}: 200 with the path info. */
  static final class Users extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String pathInfo = request.getPathInfo();
      text(response, pathInfo == null ? "" : pathInfo);
    }
  }

  /** {@code *.do}: 200 {@code do:<servlet path>}. */
  static final class Extension extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      text(response, "do:" + request.getServletPath());
    }
  }

  /** {@code /fail}: throws, so the container answers 500. */
  static final class Fail extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws ServletException {
      throw new ServletException("sample failure");
    }
  }

  /** {@code /send-error?status=S}: {@code sendError(S)}, 503 by default. */
  static final class SendError extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String status = request.getParameter("status");
      response.sendError(status == null ? 503 : Integer.parseInt(status));
    }
  }

  /** {@code /async?ms=M}: a worker burns M ms of CPU time, answers and completes. */
  static final class Async extends HttpServlet {
    private final Executor workers;

    Async(Executor workers) {
      this.workers = workers;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      String ms = request.getParameter("ms");
      long millis = ms == null ? 50 : Long.parseLong(ms);
      AsyncContext async = request.startAsync();
      workers.execute(burnThenComplete(async, millis));
    }
  }

  /**
   * {@code /async-start?ms=M}: the container's own pool runs the work ({@code AsyncContext.start}),
   * burning M ms of CPU time (50 by default), then 200 {@code async done}.
   */
  static final class AsyncStart extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      String ms = request.getParameter("ms");
      long millis = ms == null ? 50 : Long.parseLong(ms);
      AsyncContext async = request.startAsync();
      async.start(burnThenComplete(async, millis));
    }
  }

  /** Burns {@code millis} of CPU time, answers {@code async done} and completes the request. */
  private static Runnable burnThenComplete(AsyncContext async, long millis) {
    return () -> {
      try {
        burn(millis);
        text(async.getResponse(), "async done");
      } catch (IOException e) {
        async.getRequest().getServletContext().log("async response failed", e);
      } finally {
        async.complete();
      }
    };
  }

  /** {@code /async-dispatch}: a worker dispatches the request to {@code /hello}. */
  static final class AsyncDispatch extends HttpServlet {
    private final Executor workers;

    AsyncDispatch(Executor workers) {
      this.workers = workers;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      workers.execute(() -> async.dispatch("/hello"));
    }
  }

  /** {@code /async-timeout}: never completed; on the container's time-out, 504. */
  static final class AsyncTimeout extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.setTimeout(ASYNC_TIMEOUT_MILLIS);
      async.addListener(new TimeoutAnswer());
    }
  }

  /** Answers a timed-out request 504. */
  private static final class TimeoutAnswer implements AsyncListener {
    @Override
    public void onTimeout(AsyncEvent event) throws IOException {
      AsyncContext async = event.getAsyncContext();
      HttpServletResponse response = (HttpServletResponse) async.getResponse();
      response.setStatus(504);
      text(response, "async timeout");
      async.complete();
    }

    @Override
    public void onComplete(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }

  /** {@code /forward}: forwards to {@code /hello}. */
  static final class Forward extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException, ServletException {
      request.getRequestDispatcher("/hello").forward(request, response);
    }
  }

  /** {@code /include}: {@code include:} followed by what {@code /hello} writes. */
  static final class Include extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException, ServletException {
      response.setContentType("text/plain;charset=UTF-8");
      response.getWriter().print("include:");
      request.getRequestDispatcher("/hello").include(request, response);
    }
  }

  private static void text(ServletResponse response, String body) throws IOException {
    response.setContentType("text/plain;charset=UTF-8");
    response.getWriter().print(body);
  }

  /** Burns {@code millis} of this thread's own CPU time, as measured by its CPU clock. */
  private static void burn(long millis) {
    long end = THREADS.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    long spins = 0;
    while (THREADS.getCurrentThreadCpuTime() < end) {
      spins++;
    }
    sink = spins;
  }
}
