package io.reelvault.support.browser;

import java.util.Locale;
import java.util.Map;

/**
 * One request a page made, as Chromium's DevTools reported it (CDP {@code Network.requestWillBeSent} and
 * {@code responseReceived} or {@code loadingFailed}).
 *
 * @param type           CDP's resource type: {@code Fetch}, {@code XHR}, {@code Media}, {@code Preflight}, ...
 * @param requestHeaders as sent (names as the browser wrote them)
 * @param status         the response's status; null when none arrived (yet)
 * @param failure        CDP's error text (and CORS error) when the request failed; null otherwise
 */
public record Exchange(
        String requestId,
        String type,
        String method,
        String url,
        Map<String, Object> requestHeaders,
        Integer status,
        Map<String, Object> responseHeaders,
        String failure) {

    /** A request header, names compared ignoring case; null when absent. */
    public String requestHeader(String name) {
        return header(requestHeaders, name);
    }

    /** A response header, names compared ignoring case; null when absent. */
    public String responseHeader(String name) {
        return header(responseHeaders, name);
    }

    private static String header(Map<String, Object> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (var e : headers.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return String.valueOf(e.getValue());
            }
        }
        return null;
    }
}
