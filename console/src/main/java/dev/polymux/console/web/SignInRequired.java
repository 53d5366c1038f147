package dev.polymux.console.web;

/** No live session: the page sends the browser to the sign-in page. */
public class SignInRequired extends RuntimeException {

    public SignInRequired() {
        super("sign in first", null, false, false);
    }
}
