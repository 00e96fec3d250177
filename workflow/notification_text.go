package workflow

// The built-in notification texts: English for every notifying type, and
// Latvian, Lithuanian and Estonian for the six that notices use (notice.go).
// Templates are text/template over messageData; blank lines left by empty
// sections are squeezed after rendering.

// messageText is the source of one notification: subject and body templates.
type messageText struct {
	subject, body string
}

// language is one language's words and templates.
type language struct {
	// verbs are what each acting role does, in the infinitive the templates use.
	verbs map[SignerRole]string
	// initiator and signer stand in for a name the process does not give.
	initiator, signer string
	// open is the portal link's words, footer the closing line of every mail.
	open, footer string
	// reasons word the expiry reasons; stall reasons are shown as their codes.
	reasons map[string]string
	texts   map[AuditType]messageText
	parsed  map[AuditType]message
}

// notificationAliases send the text of another type: an e-mail reminder is a
// reminder, and an approver's refusal reads like a signer's (the verb comes
// from the decliner's role).
var notificationAliases = map[AuditType]AuditType{
	AuditEmailReminder:    AuditReminder,
	AuditApproverDeclined: AuditSignerDeclined,
}

// textExpired keys the expiry text. It is not an audit type (the audit trail has
// none for expiry), so sendTestEmail cannot name it and AuditTypes omit it.
const textExpired AuditType = "PROCESS_EXPIRED"

// languages are the built-in notification languages by key.
var languages = map[string]*language{
	"en": {
		verbs:     map[SignerRole]string{RoleSigner: "sign", RoleApprover: "approve", RoleViewer: "view"},
		initiator: "The process initiator", signer: "A signer",
		open: "Open the document", footer: "This message was sent automatically; please do not reply to it.",
		reasons: map[string]string{ReasonExpiresAtPassed: "the process's expiry date passed", ReasonDueDatePassed: "a step's due date passed"},
		texts: map[AuditType]messageText{
			AuditTaskStarted: {
				subject: `{{if .Acts}}Please {{.Action}}: {{.Document}}{{else}}A new step started: {{.Document}}{{end}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

{{if .Acts}}{{.Initiator}} asks you to {{.Action}} the document "{{.Document}}".{{else}}A new step of the signing process for "{{.Document}}" has started.{{end}}
{{with .CommentForSigner}}
Note: {{.}}
{{end}}{{with .DueDate}}
Please do so before {{.}}.
{{end}}
Signed so far: {{.TotalSigned}} of {{.TotalSigners}}.
`},
			AuditReminder: {
				subject: `Reminder: {{.Document}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

{{if .Acts}}This is a reminder that the document "{{.Document}}" is still waiting for you to {{.Action}} it.{{else}}This is a reminder that the signing process for "{{.Document}}" is still waiting for its signers.{{end}}
{{with .DueDate}}
It is due at {{.}}.
{{end}}`},
			AuditProcessCompleted: {
				subject: `Completed: {{.Document}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

Everyone has acted: the signing process for "{{.Document}}" is complete ({{.TotalSigned}} of {{.TotalSigners}} signed).
`},
			AuditProcessCanceled: {
				subject: `Canceled: {{.Document}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

{{.Initiator}} canceled the signing process for "{{.Document}}". Nothing more needs to be done.
{{with .Comment}}
Comment: {{.}}
{{end}}`},
			AuditSignerDeclined: {
				subject: `Declined: {{.Document}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

{{.Decliner}} declined to {{.DeclinerAction}} the document "{{.Document}}". The signing process has ended.
{{with .Reason}}
Reason: {{.}}
{{end}}{{with .DeclinerComment}}
Comment: {{.}}
{{end}}`},
			textExpired: {
				subject: `Expired: {{.Document}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

The signing process for "{{.Document}}" expired before everyone had acted ({{.TotalSigned}} of {{.TotalSigners}} signed). It can no longer be signed.
{{with .Reason}}
Reason: {{.}}.
{{end}}`},
			AuditProcessStarted: {
				subject: `Signing process started: {{.Document}}`,
				body: `Hello{{with .Recipient}} {{.}}{{end}},

{{.Initiator}} started the signing process for "{{.Document}}" with {{.TotalSigners}} signers.{{if .Acts}} You will get a message when it is your turn to {{.Action}} it.{{end}}
`},
		},
	},
	"lv": {
		verbs:     map[SignerRole]string{RoleSigner: "parakstīt", RoleApprover: "apstiprināt", RoleViewer: "apskatīt"},
		initiator: "Procesa iniciators", signer: "Parakstītājs",
		open: "Atvērt dokumentu", footer: "Šī ziņa nosūtīta automātiski; lūdzam uz to neatbildēt.",
		reasons: map[string]string{ReasonExpiresAtPassed: "beidzās procesa derīguma termiņš", ReasonDueDatePassed: "beidzās soļa izpildes termiņš"},
		texts: map[AuditType]messageText{
			AuditTaskStarted: {
				subject: `{{if .Acts}}Lūdzam {{.Action}}: {{.Document}}{{else}}Sākts jauns solis: {{.Document}}{{end}}`,
				body: `Labdien{{with .Recipient}}, {{.}}{{end}}!

{{if .Acts}}{{.Initiator}} lūdz Jūs {{.Action}} dokumentu "{{.Document}}".{{else}}Dokumenta "{{.Document}}" parakstīšanas procesā sākts jauns solis.{{end}}
{{with .CommentForSigner}}
Piezīme: {{.}}
{{end}}{{with .DueDate}}
Lūdzam to izdarīt līdz {{.}}.
{{end}}
Parakstījuši: {{.TotalSigned}} no {{.TotalSigners}}.
`},
			AuditReminder: {
				subject: `Atgādinājums: {{.Document}}`,
				body: `Labdien{{with .Recipient}}, {{.}}{{end}}!

{{if .Acts}}Atgādinām, ka dokuments "{{.Document}}" joprojām gaida Jūsu darbību: lūdzam to {{.Action}}.{{else}}Atgādinām, ka dokumenta "{{.Document}}" parakstīšanas process joprojām gaida parakstītājus.{{end}}
{{with .DueDate}}
Termiņš: {{.}}.
{{end}}`},
			AuditProcessCompleted: {
				subject: `Pabeigts: {{.Document}}`,
				body: `Labdien{{with .Recipient}}, {{.}}{{end}}!

Visi dalībnieki ir veikuši savas darbības: dokumenta "{{.Document}}" parakstīšanas process ir pabeigts (parakstījuši {{.TotalSigned}} no {{.TotalSigners}}).
`},
			AuditProcessCanceled: {
				subject: `Atcelts: {{.Document}}`,
				body: `Labdien{{with .Recipient}}, {{.}}{{end}}!

{{.Initiator}} atcēla dokumenta "{{.Document}}" parakstīšanas procesu. Nekas vairs nav jādara.
{{with .Comment}}
Komentārs: {{.}}
{{end}}`},
			AuditSignerDeclined: {
				subject: `Noraidīts: {{.Document}}`,
				body: `Labdien{{with .Recipient}}, {{.}}{{end}}!

{{.Decliner}} atteicās {{.DeclinerAction}} dokumentu "{{.Document}}". Parakstīšanas process ir beidzies.
{{with .Reason}}
Iemesls: {{.}}
{{end}}{{with .DeclinerComment}}
Komentārs: {{.}}
{{end}}`},
			textExpired: {
				subject: `Termiņš beidzies: {{.Document}}`,
				body: `Labdien{{with .Recipient}}, {{.}}{{end}}!

Dokumenta "{{.Document}}" parakstīšanas procesa termiņš beidzās, pirms visi dalībnieki veica savas darbības (parakstījuši {{.TotalSigned}} no {{.TotalSigners}}). To vairs nevar parakstīt.
{{with .Reason}}
Iemesls: {{.}}.
{{end}}`},
		},
	},
	"lt": {
		verbs:     map[SignerRole]string{RoleSigner: "pasirašyti", RoleApprover: "patvirtinti", RoleViewer: "peržiūrėti"},
		initiator: "Proceso iniciatorius", signer: "Pasirašantysis",
		open: "Atidaryti dokumentą", footer: "Šis pranešimas išsiųstas automatiškai; prašome į jį neatsakyti.",
		reasons: map[string]string{ReasonExpiresAtPassed: "baigėsi proceso galiojimo terminas", ReasonDueDatePassed: "baigėsi etapo atlikimo terminas"},
		texts: map[AuditType]messageText{
			AuditTaskStarted: {
				subject: `{{if .Acts}}Prašome {{.Action}}: {{.Document}}{{else}}Prasidėjo naujas etapas: {{.Document}}{{end}}`,
				body: `Laba diena{{with .Recipient}}, {{.}}{{end}},

{{if .Acts}}{{.Initiator}} prašo Jūsų {{.Action}} dokumentą „{{.Document}}“.{{else}}Dokumento „{{.Document}}“ pasirašymo procese prasidėjo naujas etapas.{{end}}
{{with .CommentForSigner}}
Pastaba: {{.}}
{{end}}{{with .DueDate}}
Prašome tai padaryti iki {{.}}.
{{end}}
Pasirašė: {{.TotalSigned}} iš {{.TotalSigners}}.
`},
			AuditReminder: {
				subject: `Priminimas: {{.Document}}`,
				body: `Laba diena{{with .Recipient}}, {{.}}{{end}},

{{if .Acts}}Primename, kad dokumentas „{{.Document}}“ vis dar laukia Jūsų veiksmo: prašome jį {{.Action}}.{{else}}Primename, kad dokumento „{{.Document}}“ pasirašymo procesas vis dar laukia pasirašančiųjų.{{end}}
{{with .DueDate}}
Terminas: {{.}}.
{{end}}`},
			AuditProcessCompleted: {
				subject: `Užbaigta: {{.Document}}`,
				body: `Laba diena{{with .Recipient}}, {{.}}{{end}},

Visi dalyviai atliko savo veiksmus: dokumento „{{.Document}}“ pasirašymo procesas užbaigtas (pasirašė {{.TotalSigned}} iš {{.TotalSigners}}).
`},
			AuditProcessCanceled: {
				subject: `Atšaukta: {{.Document}}`,
				body: `Laba diena{{with .Recipient}}, {{.}}{{end}},

{{.Initiator}} atšaukė dokumento „{{.Document}}“ pasirašymo procesą. Daugiau nieko daryti nereikia.
{{with .Comment}}
Komentaras: {{.}}
{{end}}`},
			AuditSignerDeclined: {
				subject: `Atmesta: {{.Document}}`,
				body: `Laba diena{{with .Recipient}}, {{.}}{{end}},

{{.Decliner}} atsisakė {{.DeclinerAction}} dokumentą „{{.Document}}“. Pasirašymo procesas baigtas.
{{with .Reason}}
Priežastis: {{.}}
{{end}}{{with .DeclinerComment}}
Komentaras: {{.}}
{{end}}`},
			textExpired: {
				subject: `Baigėsi terminas: {{.Document}}`,
				body: `Laba diena{{with .Recipient}}, {{.}}{{end}},

Dokumento „{{.Document}}“ pasirašymo proceso terminas baigėsi, kol dar ne visi dalyviai atliko savo veiksmus (pasirašė {{.TotalSigned}} iš {{.TotalSigners}}). Jo nebegalima pasirašyti.
{{with .Reason}}
Priežastis: {{.}}.
{{end}}`},
		},
	},
	"et": {
		verbs:     map[SignerRole]string{RoleSigner: "allkirjastada", RoleApprover: "kinnitada", RoleViewer: "üle vaadata"},
		initiator: "Protsessi algataja", signer: "Allkirjastaja",
		open: "Ava dokument", footer: "See teade saadeti automaatselt; palun ärge sellele vastake.",
		reasons: map[string]string{ReasonExpiresAtPassed: "protsessi kehtivusaeg lõppes", ReasonDueDatePassed: "etapi tähtaeg möödus"},
		texts: map[AuditType]messageText{
			AuditTaskStarted: {
				subject: `{{if .Acts}}Palun {{.Action}}: {{.Document}}{{else}}Algas uus etapp: {{.Document}}{{end}}`,
				body: `Tere{{with .Recipient}}, {{.}}{{end}}!

{{if .Acts}}{{.Initiator}} palub Teil dokument „{{.Document}}“ {{.Action}}.{{else}}Dokumendi „{{.Document}}“ allkirjastamisprotsessis algas uus etapp.{{end}}
{{with .CommentForSigner}}
Märkus: {{.}}
{{end}}{{with .DueDate}}
Palun tehke seda enne {{.}}.
{{end}}
Allkirjastanud: {{.TotalSigned}} / {{.TotalSigners}}.
`},
			AuditReminder: {
				subject: `Meeldetuletus: {{.Document}}`,
				body: `Tere{{with .Recipient}}, {{.}}{{end}}!

{{if .Acts}}Tuletame meelde, et dokument „{{.Document}}“ ootab endiselt Teie tegevust: palun see {{.Action}}.{{else}}Tuletame meelde, et dokumendi „{{.Document}}“ allkirjastamisprotsess ootab endiselt allkirjastajaid.{{end}}
{{with .DueDate}}
Tähtaeg: {{.}}.
{{end}}`},
			AuditProcessCompleted: {
				subject: `Lõpetatud: {{.Document}}`,
				body: `Tere{{with .Recipient}}, {{.}}{{end}}!

Kõik osalejad on oma toimingud teinud: dokumendi „{{.Document}}“ allkirjastamisprotsess on lõpetatud ({{.TotalSigned}} / {{.TotalSigners}} allkirjastatud).
`},
			AuditProcessCanceled: {
				subject: `Tühistatud: {{.Document}}`,
				body: `Tere{{with .Recipient}}, {{.}}{{end}}!

{{.Initiator}} tühistas dokumendi „{{.Document}}“ allkirjastamisprotsessi. Midagi rohkem tegema ei pea.
{{with .Comment}}
Kommentaar: {{.}}
{{end}}`},
			AuditSignerDeclined: {
				subject: `Keeldutud: {{.Document}}`,
				body: `Tere{{with .Recipient}}, {{.}}{{end}}!

{{.Decliner}} keeldus dokumenti „{{.Document}}“ {{.DeclinerAction}}. Allkirjastamisprotsess on lõppenud.
{{with .Reason}}
Põhjus: {{.}}
{{end}}{{with .DeclinerComment}}
Kommentaar: {{.}}
{{end}}`},
			textExpired: {
				subject: `Aegunud: {{.Document}}`,
				body: `Tere{{with .Recipient}}, {{.}}{{end}}!

Dokumendi „{{.Document}}“ allkirjastamisprotsess aegus enne, kui kõik osalejad said oma toimingud teha ({{.TotalSigned}} / {{.TotalSigners}} allkirjastatud). Seda ei saa enam allkirjastada.
{{with .Reason}}
Põhjus: {{.}}.
{{end}}`},
		},
	},
}

func init() {
	for name, l := range languages {
		l.parsed = make(map[AuditType]message, len(l.texts))
		for t, m := range l.texts {
			l.parsed[t] = parse(name+"/"+string(t), m)
		}
	}
}
