package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

// preCookie carries the sign-in form's CSRF token before there is a session
// (a double-submit token: the form and the cookie must agree).
const preCookie = "countersign_console_signin"

// signInData is the sign-in page.
type signInData struct {
	Next, Message string
	Expired       bool
}

func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) {
	c.showSignIn(w, r, http.StatusOK, signInData{Next: safeNext(r.URL.Query().Get("next")),
		Expired: r.URL.Query().Get("expired") != ""})
}

func (c *Console) showSignIn(w http.ResponseWriter, r *http.Request, status int, d signInData) {
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: token, Path: "/console/sign-in", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	c.write(w, status, "signin", view{Title: "Sign in", CSRF: token, Data: d})
}

// signIn checks the API key and starts a session holding the key's id.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.showSignIn(w, r, http.StatusBadRequest, signInData{Message: "The form could not be read."})
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	ck, err := r.Cookie(preCookie)
	form := r.PostForm.Get("csrf_token")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		c.showSignIn(w, r, http.StatusForbidden, signInData{Next: next,
			Message: "The form has expired or did not come from this console. Try again."})
		return
	}
	id, err := c.api.Identify(r.Context(), r.PostForm.Get("api_key"))
	if errors.Is(err, ErrUnauthorized) {
		c.showSignIn(w, r, http.StatusUnauthorized, signInData{Next: next, Message: "That API key is not valid."})
		return
	}
	if err != nil {
		c.log.Error("console sign-in failed", "err", err)
		c.showSignIn(w, r, http.StatusInternalServerError, signInData{Next: next, Message: "Sign-in failed; it has been logged."})
		return
	}
	if old, err := r.Cookie(cookieName); err == nil { // a new sign-in ends the browser's previous session
		if s, ok := c.sessions.get(old.Value); ok {
			c.sessions.destroy(s)
		}
	}
	raw, _ := c.sessions.create(id)
	setCookie(w, r, raw)
	http.SetCookie(w, &http.Cookie{Name: preCookie, Path: "/console/sign-in", MaxAge: -1})
	c.log.Info("console sign-in", "workspace_id", id.WorkspaceID, "api_key_id", id.KeyID)
	if next == "" {
		next = "/console/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut destroys the session.
func (c *Console) signOut(k *call) error {
	c.sessions.destroy(k.s)
	setCookie(k.w, k.r, "")
	k.redirect("/console/sign-in")
	return nil
}

// safeNext keeps a return path only when it stays in the console.
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/console/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return ""
	}
	return p
}
