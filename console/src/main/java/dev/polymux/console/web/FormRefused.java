package dev.polymux.console.web;

/** A POST that did not come from one of the console's own forms (wrong csrf value or Origin): 403. */
public class FormRefused extends RuntimeException {

    public FormRefused(String sentence) {
        super(sentence, null, false, false);
    }
}
