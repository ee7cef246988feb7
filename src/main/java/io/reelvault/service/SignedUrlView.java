package io.reelvault.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A signed URL as the API returns it.
 *
 * @param expiresIn seconds the URL stays valid
 * @param method    the HTTP method it is signed for
 * @param headers   headers the client must send with it (PUT URLs); omitted when none
 */
public record SignedUrlView(
        String url,
        long expiresIn,
        String method,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> headers) {}
