package io.reelvault.service;

/**
 * A signed URL as the API returns it.
 *
 * @param expiresIn seconds the URL stays valid
 * @param method    the HTTP method it is signed for
 */
public record SignedUrlView(String url, long expiresIn, String method) {}
