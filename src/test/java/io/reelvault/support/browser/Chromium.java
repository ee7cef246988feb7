package io.reelvault.support.browser;

import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.v156.fetch.Fetch;
import org.openqa.selenium.devtools.v156.fetch.model.RequestPattern;
import org.openqa.selenium.devtools.v156.fetch.model.RequestStage;
import org.openqa.selenium.devtools.v156.network.Network;
import org.openqa.selenium.devtools.v156.network.model.ErrorReason;
import org.openqa.selenium.devtools.v156.network.model.Request;
import org.openqa.selenium.devtools.v156.network.model.RequestId;
import org.openqa.selenium.devtools.v156.page.Page;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian Chromium driven through chromedriver (Selenium), with a fresh profile, and every request its
 * pages make recorded from the DevTools Network domain ({@link #exchanges()}). Both programs are looked up on the
 * PATH: a machine without them fails the test with what to install ({@code .ci/run} installs them), never skips it.
 *
 * <p>Pages call into {@code lab.js} through {@link #call}: an async function of {@code window.lab} whose result (a
 * JSON-like object) comes back as Java maps, lists, strings, longs, doubles and booleans.
 */
public final class Chromium implements AutoCloseable {
    /** Where {@link #screenshot} writes. */
    public static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
    /** How long one page call may take before the test fails (a hung page never blocks the build). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private static final List<String> FLAGS = List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--autoplay-policy=no-user-gesture-required",
            "--window-size=1280,900");

    private final ChromeDriver driver;
    private final DevTools devTools;
    private final Path profile;
    private final Map<String, Exchange> exchanges = new LinkedHashMap<>();
    /** The service's base URL whose API answers ({@code /api/v1/...}) are kept with their bodies; null: none. */
    private volatile String apiBase;
    /** The API answers the pages received, by request id; a null body until loading finished. */
    private final Map<String, Pending> apiAnswers = new LinkedHashMap<>();
    /** The requests whose loading finished, by id (guarded by {@link #apiAnswers}; events may come in any order). */
    private final java.util.Set<String> loaded = new java.util.HashSet<>();
    /**
     * API requests whose loading failed (guarded by {@link #apiAnswers}): DevTools' events reach the listeners on
     * several threads, so a failure may be handled before the answer it ends, which must then not wait for a body.
     */
    private final java.util.Set<String> failed = new java.util.HashSet<>();
    /** Fetches bodies off the DevTools event threads, which must not wait for an answer of their own connection. */
    private final ExecutorService bodies = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chromium-bodies");
        t.setDaemon(true);
        return t;
    });
    /** The methods of the API requests, by request id (guarded by {@link #apiAnswers}). */
    private final Map<String, String> methods = new LinkedHashMap<>();
    /** Which paused requests {@link #cutRequests} drops before they are sent; null: none. */
    private volatile Predicate<Request> dropping;
    /** Which paused requests {@link #loseAnswers} fail once their answer arrived; null: none. */
    private volatile Predicate<Request> losing;
    /** The CDP URL patterns of the requests paused for {@link #dropping} and {@link #losing}. */
    private volatile String droppingScope = "*";

    private volatile String losingScope = "*";

    private Chromium(ChromeDriver driver, DevTools devTools, Path profile) {
        this.driver = driver;
        this.devTools = devTools;
        this.profile = profile;
    }

    /** Starts Chromium with the flags verified here (STACK.md) and a fresh {@code --user-data-dir}. */
    public static Chromium start() {
        Path chromium = Tools.onPath("chromium", "Debian's 'chromium' package");
        Path chromedriver = Tools.onPath("chromedriver", "Debian's 'chromium-driver' package");
        Path profile;
        try {
            profile = Files.createTempDirectory("chromium-profile-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.manage().timeouts().scriptTimeout(CALL_TIMEOUT);
            DevTools devTools = driver.getDevTools();
            devTools.createSession();
            Chromium browser = new Chromium(driver, devTools, profile);
            browser.record();
            return browser;
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
    }

    private void record() {
        devTools.send(Network.enable(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        // every request reaches the servers: a cached preflight or Range answer would hide what is tested
        devTools.send(Network.setCacheDisabled(true));
        devTools.addListener(Fetch.requestPaused(), paused -> {
            // CDP: a request paused at the response stage has a status code or an error reason
            boolean answered = paused.getResponseStatusCode().isPresent()
                    || paused.getResponseErrorReason().isPresent();
            Predicate<Request> fail = answered ? losing : dropping;
            if (fail != null && fail.test(paused.getRequest())) {
                devTools.send(Fetch.failRequest(paused.getRequestId(), ErrorReason.CONNECTIONRESET));
            } else if (answered) {
                devTools.send(Fetch.continueResponse(
                        paused.getRequestId(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
            } else {
                devTools.send(Fetch.continueRequest(
                        paused.getRequestId(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty()));
            }
        });
        devTools.addListener(Network.requestWillBeSent(), e -> {
            String id = e.getRequestId().toString();
            synchronized (exchanges) {
                // a redirect reuses the id: the latest request wins; a failure handled first is kept
                Exchange before = exchanges.get(id);
                exchanges.put(
                        id,
                        new Exchange(
                                id,
                                e.getType().map(Object::toString).orElse(null),
                                e.getRequest().getMethod(),
                                e.getRequest().getUrl(),
                                Map.copyOf(e.getRequest().getHeaders().toJson()),
                                before == null ? null : before.status(),
                                before == null ? null : before.responseHeaders(),
                                before == null ? null : before.failure()));
            }
        });
        devTools.addListener(Network.responseReceived(), e -> {
            String id = e.getRequestId().toString();
            String type = e.getType().toString();
            String base = apiBase;
            String url = e.getResponse().getUrl();
            if (base != null && url.startsWith(base + "/api/v1/") && !"Preflight".equals(type)) {
                synchronized (apiAnswers) {
                    if (failed.contains(id)) {
                        return; // ended before this event was handled: nothing to read
                    }
                    apiAnswers.put(
                            id,
                            new Pending(
                                    e.getResponse().getStatus(),
                                    url,
                                    Map.copyOf(e.getResponse().getHeaders().toJson())));
                    if (loaded.contains(id)) {
                        fetchBody(id);
                    }
                }
            }
            synchronized (exchanges) {
                Exchange sent = exchanges.get(id);
                exchanges.put(
                        id,
                        new Exchange(
                                id,
                                e.getType().toString(),
                                sent == null ? null : sent.method(),
                                e.getResponse().getUrl(),
                                sent == null ? Map.of() : sent.requestHeaders(),
                                e.getResponse().getStatus(),
                                Map.copyOf(e.getResponse().getHeaders().toJson()),
                                sent == null ? null : sent.failure()));
            }
        });
        devTools.addListener(Network.requestWillBeSent(), e -> {
            // the method of an API request, kept apart from the exchanges (which a test may clear meanwhile)
            String base = apiBase;
            if (base != null && e.getRequest().getUrl().startsWith(base + "/api/v1/")) {
                synchronized (apiAnswers) {
                    methods.put(e.getRequestId().toString(), e.getRequest().getMethod());
                }
            }
        });
        devTools.addListener(Network.loadingFinished(), e -> {
            String id = e.getRequestId().toString();
            synchronized (apiAnswers) {
                if (apiBase != null) {
                    loaded.add(id);
                }
                if (apiAnswers.containsKey(id)) {
                    fetchBody(id);
                }
            }
        });
        devTools.addListener(Network.loadingFailed(), e -> {
            String id = e.getRequestId().toString();
            synchronized (apiAnswers) {
                // an answer the page could not read (CORS-blocked, aborted) has no body to check
                failed.add(id);
                apiAnswers.remove(id);
                apiAnswers.notifyAll();
            }
            String why = e.getErrorText()
                    + e.getCorsErrorStatus()
                            .map(c -> " (CORS " + c.getCorsError() + ")")
                            .orElse("");
            synchronized (exchanges) {
                Exchange sent = exchanges.get(id);
                exchanges.put(
                        id,
                        new Exchange(
                                id,
                                e.getType().toString(),
                                sent == null ? null : sent.method(),
                                sent == null ? null : sent.url(),
                                sent == null ? Map.of() : sent.requestHeaders(),
                                sent == null ? null : sent.status(),
                                sent == null ? null : sent.responseHeaders(),
                                why));
            }
        });
    }

    /**
     * Keeps, from now on, every answer the pages receive from {@code base}'s API ({@code base + "/api/v1/..."}, CORS
     * preflights aside) with its body, fetched through DevTools as soon as it has loaded; {@link #takeApiAnswers}
     * hands them over for {@code OpenApiContract.assertAnswersValid}.
     */
    public void keepApiAnswers(String base) {
        apiBase = base.replaceAll("/$", "");
    }

    /** Reads an API answer's body through DevTools, now, while the page that received it is alive. */
    private void fetchBody(String id) {
        bodies.execute(() -> {
            String text = null;
            String error = null;
            try {
                Network.GetResponseBodyResponse body = devTools.send(Network.getResponseBody(new RequestId(id)));
                text = body.getBase64Encoded()
                        ? new String(Base64.getDecoder().decode(body.getBody()), StandardCharsets.ISO_8859_1)
                        : body.getBody();
            } catch (RuntimeException failure) {
                // the page moved on (a navigation) before the body was read: DevTools dropped it with the page, the
                // answer's status and headers are still checked; any other failure fails the test
                if (!String.valueOf(failure.getMessage()).contains("No resource with given identifier found")) {
                    error = String.valueOf(failure.getMessage());
                }
            }
            synchronized (apiAnswers) {
                Pending pending = apiAnswers.get(id);
                if (pending != null) {
                    pending.body = text;
                    pending.error = error;
                    pending.finished = true;
                }
                apiAnswers.notifyAll();
            }
        });
    }

    /**
     * The API answers received since the last call, in arrival order, once each has its body: waits up to the call
     * timeout for those still loading; one DevTools never reports as loaded by then is checked without its body.
     */
    public List<OpenApiContract.Answer> takeApiAnswers() {
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        synchronized (apiAnswers) {
            while (apiAnswers.values().stream().anyMatch(p -> !p.finished)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // DevTools never said these finished loading (seen once in a while on a loaded machine, the page
                    // having read them): their status and headers are still checked, their bodies cannot be
                    apiAnswers.values().stream().filter(p -> !p.finished).forEach(p -> {
                        System.err.println("chromium: no body of " + p.url + " after " + CALL_TIMEOUT
                                + "; its status and headers are checked");
                        p.finished = true;
                    });
                    break;
                }
                try {
                    apiAnswers.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            List<String> unread = apiAnswers.values().stream()
                    .filter(p -> p.error != null)
                    .map(p -> p.url + ": " + p.error)
                    .toList();
            if (!unread.isEmpty()) {
                apiAnswers.clear();
                methods.clear();
                loaded.clear();
                throw new AssertionError("DevTools did not hand over the bodies of API answers: " + unread);
            }
            List<OpenApiContract.Answer> answers = new ArrayList<>();
            apiAnswers.forEach((id, p) -> answers.add(new OpenApiContract.Answer(
                    methods.getOrDefault(id, "GET"), p.url, p.status, headers(p.headers), p.body)));
            apiAnswers.clear();
            methods.clear();
            loaded.clear();
            failed.clear();
            return answers;
        }
    }

    private static Map<String, String> headers(Map<String, Object> cdp) {
        Map<String, String> headers = new LinkedHashMap<>();
        cdp.forEach((name, value) -> headers.put(name, String.valueOf(value)));
        return headers;
    }

    /** An API answer whose body is being loaded (guarded by {@link #apiAnswers}). */
    private static final class Pending {
        final int status;
        final String url;
        final Map<String, Object> headers;
        String body;
        /** Why DevTools could not hand over the body; null when it did. */
        String error;

        boolean finished;

        Pending(int status, String url, Map<String, Object> headers) {
            this.status = status;
            this.url = url;
            this.headers = headers;
        }
    }

    /**
     * Drops the next {@code times} requests of {@code method} whose URL matches, before they leave the browser, as a
     * connection reset (CDP Fetch domain): the page sees a network error, the server sees nothing, what the page does
     * next (retry, report) is what is tested. Every other request goes on untouched. Close the answer to stop
     * intercepting; its {@link Cut#count()} is how many were dropped.
     */
    public Cut cutRequests(String method, Predicate<String> url, int times) {
        return cutRequests(method, "*", url, times);
    }

    /**
     * As {@link #cutRequests(String, Predicate, int)}, pausing only the requests whose URL matches {@code scope} (a
     * CDP Fetch URL pattern: {@code *} any characters, {@code ?} one). A paused request's body travels through
     * DevTools and back, which slows large uploads to a few MB/s: a narrow scope keeps the others at full speed.
     */
    public Cut cutRequests(String method, String scope, Predicate<String> url, int times) {
        AtomicInteger cut = new AtomicInteger();
        dropping = counted(method, url, times, cut);
        droppingScope = scope;
        intercept();
        return new Cut(cut, () -> dropping = null);
    }

    /**
     * Fails the next {@code times} requests of {@code method} whose URL matches (among those matching the CDP URL
     * pattern {@code scope}, see {@link #cutRequests(String, String, Predicate, int)}) after the server answered them,
     * as a connection reset before the answer reaches the page (CDP Fetch, response stage): the server did all the
     * work (stored the body), the page sees a network error, as when a connection breaks while its answer is on the
     * way. Close the answer to stop; its {@link Cut#count()} is how many answers were lost.
     */
    public Cut loseAnswers(String method, String scope, Predicate<String> url, int times) {
        AtomicInteger cut = new AtomicInteger();
        losing = counted(method, url, times, cut);
        losingScope = scope;
        intercept();
        return new Cut(cut, () -> losing = null);
    }

    /**
     * As {@link #cutRequests(String, String, Predicate, int)}, choosing by the request's URL and its headers (as the
     * page set them, names as written), e.g. the tus PATCH of one {@code Upload-Offset} among PATCHes of one URL.
     */
    public Cut cutRequestsWhere(
            String method, String scope, BiPredicate<String, Map<String, Object>> which, int times) {
        AtomicInteger cut = new AtomicInteger();
        dropping = counted(method, which, times, cut);
        droppingScope = scope;
        intercept();
        return new Cut(cut, () -> dropping = null);
    }

    /** As {@link #loseAnswers}, choosing by the request's URL and headers as {@link #cutRequestsWhere} does. */
    public Cut loseAnswersWhere(
            String method, String scope, BiPredicate<String, Map<String, Object>> which, int times) {
        AtomicInteger cut = new AtomicInteger();
        losing = counted(method, which, times, cut);
        losingScope = scope;
        intercept();
        return new Cut(cut, () -> losing = null);
    }

    private static Predicate<Request> counted(String method, Predicate<String> url, int times, AtomicInteger cut) {
        return counted(method, (u, headers) -> url.test(u), times, cut);
    }

    private static Predicate<Request> counted(
            String method, BiPredicate<String, Map<String, Object>> which, int times, AtomicInteger cut) {
        return request -> method.equals(request.getMethod())
                && which.test(request.getUrl(), request.getHeaders().toJson())
                && cut.getAndUpdate(n -> n < times ? n + 1 : n) < times;
    }

    /** Pauses the requests in scope at the stages someone intercepts (none: interception off). */
    private synchronized void intercept() {
        List<RequestPattern> patterns = new ArrayList<>();
        if (dropping != null) {
            // no stage (CDP: the request stage): an explicit Request stage made the Network events of later requests
            // go missing (BrowserApiTest, 3 runs of 3)
            patterns.add(new RequestPattern(Optional.of(droppingScope), Optional.empty(), Optional.empty()));
        }
        if (losing != null) {
            patterns.add(
                    new RequestPattern(Optional.of(losingScope), Optional.empty(), Optional.of(RequestStage.RESPONSE)));
        }
        if (patterns.isEmpty()) {
            devTools.send(Fetch.disable());
        } else {
            devTools.send(Fetch.enable(Optional.of(patterns), Optional.empty()));
        }
    }

    /** Requests being dropped by {@link #cutRequests} or {@link #loseAnswers}; closing it lets them through again. */
    public final class Cut implements AutoCloseable {
        private final AtomicInteger count;
        private final Runnable stop;

        private Cut(AtomicInteger count, Runnable stop) {
            this.count = count;
            this.stop = stop;
        }

        /** How many requests were dropped so far. */
        public int count() {
            return count.get();
        }

        @Override
        public void close() {
            stop.run();
            intercept();
        }
    }

    /** Opens {@code url} and waits until its document and scripts are loaded ({@code window.lab} is there). */
    public void open(String url) {
        driver.get(url);
        new WebDriverWait(driver, CALL_TIMEOUT)
                .until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return !!window.lab")));
    }

    /**
     * Awaits {@code window.lab[function](...args)} in the page; its result, converted by Selenium (objects as maps,
     * numbers as Long or Double). A rejected promise fails the test with its message.
     */
    @SuppressWarnings("unchecked")
    public <T> T call(String function, Object... args) {
        Object result = driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "const args = Array.prototype.slice.call(arguments, 1, arguments.length - 1);"
                        + "window.lab[arguments[0]](...args).then(r => done({ok: r}), e => done({error: String(e)}));",
                prepend(function, args));
        Map<String, Object> answer = (Map<String, Object>) result;
        if (answer.containsKey("error")) {
            throw new AssertionError("lab." + function + " failed in the page: " + answer.get("error"));
        }
        return (T) answer.get("ok");
    }

    /** As {@link #call}, for a call that may take up to {@code timeout} (e.g. a large upload). */
    public <T> T callWithin(Duration timeout, String function, Object... args) {
        driver.manage().timeouts().scriptTimeout(timeout);
        try {
            return call(function, args);
        } finally {
            driver.manage().timeouts().scriptTimeout(CALL_TIMEOUT);
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /**
     * Runs {@code js} in every document opened from now on, before the page's own scripts (CDP
     * {@code Page.addScriptToEvaluateOnNewDocument}: outside the page's Content-Security-Policy, as a browser extension
     * would). For recording what a page does, e.g. its CSP violations.
     */
    public void beforeEachDocument(String js) {
        devTools.send(Page.addScriptToEvaluateOnNewDocument(js, Optional.empty(), Optional.empty(), Optional.empty()));
    }

    /**
     * Opens a page that is not the lab (an application's own page) and waits until the JavaScript expression
     * {@code ready} is true in it.
     */
    public void openPage(String url, String ready) {
        driver.get(url);
        await("the page at " + url + " is ready (" + ready + ")", ready);
    }

    /** Runs {@code js} (a function body: {@code return ...} answers) with {@code arguments}; its result as Selenium converts it. */
    @SuppressWarnings("unchecked")
    public <T> T script(String js, Object... arguments) {
        return (T) ((JavascriptExecutor) driver).executeScript(js, arguments);
    }

    /** Waits, up to the call timeout, until the JavaScript expression {@code condition} is true; fails saying what. */
    public void await(String what, String condition) {
        try {
            new WebDriverWait(driver, CALL_TIMEOUT)
                    .until(d -> Boolean.TRUE.equals(
                            ((JavascriptExecutor) d).executeScript("return !!(" + condition + ")")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the page never showed that " + what + " (" + condition + ")", e);
        }
    }

    /** Clicks the first element that matches the CSS selector, once there and visible. */
    public void click(String css) {
        await(
                "an element " + css + " is shown",
                "(e => e && e.offsetParent !== null)(document.querySelector(" + jsString(css) + "))");
        driver.findElement(By.cssSelector(css)).click();
    }

    /** Types into the first element that matches the CSS selector (appending to what it holds). */
    public void type(String css, String text) {
        driver.findElement(By.cssSelector(css)).sendKeys(text);
    }

    /** Picks a file in the first {@code <input type=file>} that matches the CSS selector (it may be hidden). */
    public void pickFile(String css, Path file) {
        driver.findElement(By.cssSelector(css)).sendKeys(file.toAbsolutePath().toString());
    }

    /** A Java string as a JavaScript string literal. */
    public static String jsString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\' || c < 0x20 || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** The text of the element with this id (as rendered). */
    public String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** Saves a PNG of the page as {@code target/browser-screenshots/NAME.png}; answers its path. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every request recorded so far, in the order they were first seen. */
    public List<Exchange> exchanges() {
        synchronized (exchanges) {
            return new ArrayList<>(exchanges.values());
        }
    }

    /** The recorded requests that match. */
    public List<Exchange> exchanges(Predicate<Exchange> which) {
        return exchanges().stream().filter(which).toList();
    }

    /** Forgets the requests recorded so far (each case looks at its own). */
    public void clearExchanges() {
        synchronized (exchanges) {
            exchanges.clear();
        }
    }

    /** Waits, up to the call timeout, until a recorded request matches; fails the test with all recorded otherwise. */
    public Exchange awaitExchange(String what, Predicate<Exchange> which) {
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Exchange> found = exchanges(which);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no request of the page was " + what + "; recorded: " + exchanges());
    }

    @Override
    public void close() {
        bodies.shutdownNow();
        try {
            devTools.close();
        } finally {
            driver.quit();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a profile left in /tmp is harmless
            }
        }
    }
}
