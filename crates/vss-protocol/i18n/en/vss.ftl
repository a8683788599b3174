## Error messages (err-<code>) and what the user should do (hint-<code>).

err-bad_request = The request is not valid: { $reason }
hint-bad_request = This is a problem in the web page or program that called the signing tool. Reload the page; if it persists, report it to the site.
err-unknown_command = Unknown command "{ $command }".
hint-unknown_command = Update VSS Token Signing to the latest version, or report the problem to the site.
err-message_too_large = The request is too large ({ $size } bytes; the limit is { $limit }).
hint-message_too_large = Sign large dossier files with the command "vss sign-xml" instead of through the browser.
err-origin_not_allowed = The website { $origin } is not allowed to use your digital signature token.
hint-origin_not_allowed = Only the social insurance portal (baohiemxahoi.gov.vn) may use the token. If this website should be allowed, ask your IT administrator to add it.
err-insecure_origin = The website { $origin } does not use a secure (https) connection.
hint-insecure_origin = Open the portal at an address that starts with https://.
err-no_module = The token driver (PKCS#11 module) was not found: { $path }
hint-no_module = Install the driver that came with your token from your CA (VNPT-CA, Viettel-CA, FPT-CA, BKAV-CA, …), then try again. An administrator can set the module path in the configuration.
err-module_load_failed = The token driver { $path } could not be loaded: { $reason }
hint-module_load_failed = Reinstall your CA's token driver (the 64-bit version for your browser), then try again.
err-no_token = No digital signature token is plugged in.
hint-no_token = Plug in your USB token, wait until its light is on, then try again. If it is plugged in, unplug it and plug it in again, or try another USB port.
err-no_certificates = The plugged-in token holds no usable signing certificate.
hint-no_certificates = Check that you plugged in the right token. If it is the right one, contact your CA: the certificate may not have been installed on it.
err-certificate_not_found = The requested certificate is not on the plugged-in token.
hint-certificate_not_found = Another token seems to be plugged in. Plug in the token whose certificate is registered on the portal, or update the registered certificate on the portal ("Thay đổi thông tin").
err-identity_mismatch = { $kind ->
        [dossier_unreadable] The dossier does not state its tax code plainly (found: { $found }), so it cannot be checked against the token's ({ $actual }).
       *[other] The token belongs to another unit: its tax code is { $actual }, expected { $expected }.
    }
hint-identity_mismatch = { $kind ->
        [dossier_unreadable] Export the dossier again from your declaration software: MaSoThue must hold the tax code alone, once, with no element, comment or CDATA section inside.
       *[other] Plug in the token of the unit with tax code { $expected }. If your unit's token was renewed or changed CA, update the certificate on the portal first.
    }
err-certificate_expired = The certificate of { $holder } expired on { $date }.
hint-certificate_expired = Renew the certificate with your CA, then update the new certificate on the BHXH portal (Thay đổi thông tin → change digital certificate) before signing.
err-certificate_not_yet_valid = The certificate of { $holder } is only valid from { $date }.
hint-certificate_not_yet_valid = Check the computer's date and time. If they are right, wait until the certificate becomes valid or contact your CA.
err-user_cancelled = You cancelled the signing.
hint-user_cancelled = Nothing was signed. Start again when you are ready.
err-user_timeout = The PIN window was not answered in time.
hint-user_timeout = Nothing was signed. Start again and enter the PIN within { $wait }. If no PIN window appeared, look for it behind the browser window.
err-pin_incorrect = The PIN is incorrect.{ $state ->
        [final_try] {" "}Only ONE try is left: another wrong PIN locks the token.
        [count_low] {" "}Few tries are left.
       *[other] {""}
    }
hint-pin_incorrect = { $state ->
        [final_try] Try again only if you are sure of the PIN; if you do not remember it, contact your certificate authority before the token locks.
       *[other] Check the PIN (it is case-sensitive) and try again. Careful: the token locks itself after several wrong PINs.
    }
err-pin_locked = The token's PIN is locked after too many wrong attempts.
hint-pin_locked = Contact your CA to unlock the token with its PUK/SO PIN. Do not try more PINs.
err-token_removed = The token was removed during the operation.
hint-token_removed = Plug the token in again and repeat the operation.
err-busy = The token is busy with another operation.
hint-busy = Finish or cancel the other signing window first, then try again.
err-unsupported_algorithm = The algorithm { $algorithm } is not supported.
hint-unsupported_algorithm = Use SHA-256 (the portal's default). SHA-1 is refused unless the administrator allows it.
err-hash_length_mismatch = The hash is { $actual } bytes long, but { $algorithm } needs { $expected }.
hint-hash_length_mismatch = This is a problem in the web page or program that asked for the signature; report it to the site.
err-xml_malformed = The XML file is not well-formed: { $reason }
hint-xml_malformed = Export the dossier again from your declaration software and sign the new file.
err-xml_parent_not_found = The XML has no element { $parent } to hold the signature.
hint-xml_parent_not_found = Check that the file is the right dossier form, or name the signature element with --parent.
err-xml_dtd_forbidden = The XML contains a DOCTYPE declaration, which is not accepted.
hint-xml_dtd_forbidden = Export the dossier again without a DOCTYPE, or sign it locally with "vss sign-xml".
err-xml_already_signed = The element { $parent } already holds a signature.
hint-xml_already_signed = The file is already signed. Send it as it is, or start from the unsigned original.
err-capability_denied = { $origin } may not { $capability }.
err-batch_too_large = The number of files in one signing is not valid ({ $count }; at most { $limit }).
hint-batch_too_large = Split the dossiers into several signings, or sign large numbers of files with the "vss sign-xml" command.
hint-capability_denied = Do this from where it is allowed: the BHXH portal page, the extension's "Ký hồ sơ" page or the vss command on this computer. If the website is trusted, your IT administrator can grant the capability in the configuration.
capability-hash-signing = ask for a signature over content it cannot show (hash signing)
capability-batch-signing = sign several dossiers at once
capability-verification = verify dossier signatures
capability-summary = read dossier files
capability-single-signing = sign from this window of the extension
capability-signing = run this operation
err-internal = An unexpected error occurred in the signing tool.
hint-internal = Try again. If it happens again, send the log file to your IT support.
err-config_invalid = The configuration file { $path } is not valid: { $reason }
hint-config_invalid = Correct the file (or ask your IT administrator), then try again.
err-dialog_unavailable = The PIN window could not be opened: { $reason }
hint-dialog_unavailable = Reinstall VSS Token Signing. On Linux, install a pinentry program (for example pinentry-gnome3 or pinentry-tty).
err-certificate_ambiguous = Several certificates fit; choose one.
hint-certificate_ambiguous = Give the certificate id with --cert (see "vss certs").
err-file_unreadable = The file { $path } cannot be read or written: { $reason }
hint-file_unreadable = Check the file name and that you may read the file and write to its folder.
err-output_exists = The output file { $path } already exists.
hint-output_exists = Choose another output name, or add --force to overwrite it.
err-xml_parent_ambiguous = The XML has { $count } elements named { $parent }; the signature must go into exactly one.
hint-xml_parent_ambiguous = Check the dossier file (it may have been merged by mistake), or name another signature element with --parent.

err-driver_unresponsive = The token driver { $path } is not responding ({ $function } took longer than { $seconds } seconds).
hint-driver_unresponsive = Unplug the token, plug it back in and try again. If it still fails, reinstall the certificate authority's driver, or restart the computer. Other tokens keep working.
err-file_not_regular = { $path } is not a regular file but { $kind }; it is not read.
hint-file_not_regular = Only dossier files saved on disk are signed or checked. Save the dossier as an .xml file and choose that file (not a folder, a pipe or a device).
err-file_too_large = The file { $path } is larger than the limit of { $limit } bytes; it is not read further.
hint-file_too_large = Check that this is the right dossier file. BHXH dossier files are usually much smaller; export the dossier again from your declaration software.
file-kind-directory = a directory
file-kind-fifo = a pipe (FIFO)
file-kind-socket = a socket
file-kind-device = a device
file-kind-other = a special file

## Dialog and CLI text.

dialog-title = VSS Token Signing
dialog-prompt = PIN:
dialog-ok = Sign
dialog-cancel = Cancel
dialog-holder = Signer: { $holder }
dialog-mst = Tax code (MST): { $mst }
dialog-expiry = Certificate valid until: { $date }
dialog-origin = Requested by website: { $origin }
dialog-local = Requested by: this computer ({ $program })
dialog-document = Document (as stated by the website, unverified): { $title }
dialog-document-local = Document: { $title }
dialog-description = Description (unverified): { $description }
dialog-hash = Hash { $algorithm }: { $fingerprint }
dialog-blind = The content being signed cannot be shown; sign only if you started this action yourself.
dialog-pin-count-low = Warning: a wrong PIN was entered before; few tries remain.
dialog-pin-final-try = Warning: this is the LAST try before the token locks.
dialog-pinpad = Enter the PIN on the token's own keypad, then press Sign.
dialog-unknown = unknown
dialog-requester-extension = the VSS Token Signing extension (its Ký hồ sơ page)
dialog-requester-local-app = a program on this computer (through 127.0.0.1)
dialog-more = … { $count } more lines not shown (given by the file or the website)
cli-error = Error: { $message }
cli-hint = What to do: { $hint }
cli-token = Token "{ $label }" — { $manufacturer } { $model }, serial { $serial }
cli-cert-valid = valid, { $days } days left
cli-cert-expiring = EXPIRES SOON: { $days } days left — renew it with your CA
cli-cert-invalid = NOT VALID NOW (expired or not yet valid)
cli-cert-issuer = Issued by: { $issuer }
cli-cert-until = Valid until: { $date }
cli-cert-token = On token: { $label }
cli-signed = Signed ({ $algorithm }). Signature (base64):
cli-host-installed = Registered the native host for { $browser }: { $path }
cli-host-removed = Removed the native host for { $browser }: { $path }
dialog-xml-form = Form (read from the file): { $form }
dialog-xml-unit = Unit: { $unit }
dialog-xml-mst = Tax code in the file: { $mst }
dialog-xml-bhxh = BHXH unit code: { $code }
dialog-xml-period = Period: { $period }
dialog-xml-files = { $count } attached files: { $files }
dialog-batch = { $count } files to sign
dialog-batch-forms = Forms (read from the files): { $forms }
dialog-batch-file = • { $name }: { $form }, { $unit }, MST { $mst }, period { $period }
dialog-batch-more = … and { $count } more files
cli-xml-signed = Signed { $file } → { $output }
cli-xml-failed = NOT signed { $file }: { $message }
cli-xml-summary = { $signed } of { $total } files signed, { $failed } failed.
cli-verify-ok = VALID: { $file }
cli-verify-bad = NOT VALID: { $file }
cli-verify-time-signed = Signing time (signed): { $time }
cli-verify-time-claim = Signing time (the signer's unsigned claim): { $time }
cli-verify-trusted = Chain: trusted (reaches a trust anchor)
cli-verify-untrusted = Chain: not trusted (no configured trust anchor reached)
wait-minutes = { $n } minutes
wait-seconds = { $n } seconds
readiness-ready = Ready to sign.
doctor-config = Configuration: { $files }{ $locked }
doctor-config-defaults = built-in defaults (no configuration file)
doctor-config-locked = (locked by the administrator)
doctor-module-ok = Token driver loaded: { $path }
doctor-token = Token plugged in: { $label }
doctor-certificate = Certificate of { $holder }, MST { $mst }
doctor-certificate-days = { $days } days left
doctor-certificate-expiring = Renew it with your CA before it expires, then update the new certificate on the BHXH portal.
doctor-dialog-ok = PIN window: { $program }
doctor-dialog-win32 = the built-in Windows window
doctor-host-missing = The browser extension cannot find the signing agent: it is not registered with any browser.
doctor-host-hint = Run "vss install-host" (or reinstall VSS Token Signing), then restart the browser.
doctor-host-ok = Registered with: { $where }
doctor-agent-missing = The signing agent (vss-agent) is missing beside vss.

## Errors the browser extension raises itself (generated into extension/src/generated/catalogue.js).
ext-err-native_unavailable = The VSS Token Signing agent (vss-agent) is not installed on this computer.
ext-hint-native_unavailable = Download and install the VSS Token Signing installer for Windows (or the .deb package on Linux), then quit and reopen the browser. If it is installed, run "vss install-host" to register it with the browser again.
ext-err-native_disconnected = The signing agent stopped while handling the request.
ext-hint-native_disconnected = Try the operation again. If it keeps failing, unplug the USB token, plug it back in and retry.
ext-err-timeout = The signing agent did not answer in time.
ext-hint-timeout = Check whether the PIN window is open behind the browser, then try again.
ext-err-reply_corrupt = The signing agent's reply was damaged in transit.
ext-hint-reply_corrupt = Try again; if it keeps happening, reinstall VSS Token Signing.
ext-err-certificate_not_issued = The certificate to sign with was not chosen on this page.
ext-hint-certificate_not_issued = Reload the page and choose the certificate again before signing.
ext-err-extension_unavailable = The VSS Token Signing extension is not ready on this page.
ext-hint-extension_unavailable = Reload the page (F5). If it persists, check that the extension is enabled in chrome://extensions.
reason-page-request = the website sent data in the wrong format
reason-too-many-requests = the website sent too many requests at once

## Reasons of bad_request (the { $reason } of err-bad_request).
reason-output-required = -o (one file) or --out-dir (an output folder) is required
reason-output-one-file = -o takes one input file; use --out-dir for several
reason-hash-hex = --hash must be hexadecimal
reason-hash-required = --hash or --hash-b64 is required
reason-hash-base64 = the hash must be base64
reason-xml-base64 = the xml must be base64
reason-arguments = the command's arguments are not valid
reason-json = the request is not valid JSON
reason-envelope = the request envelope (id, command, arguments) is not valid
reason-host = the Host must be this agent (127.0.0.1 or localhost)
reason-http-duplicate-header = the request has more than one { $header } header
reason-http-target = the request target must be a path (/v1/…), not an absolute address, a host name or *
reason-http-body = the request body broke off
reason-http-path = the signing tool has no such path (only /v1/request and /v1/version)
caller-other-user = (a program of another user of this computer)
reason-certificate-reference = the certificate must be an id (hex SHA-256) or base64 DER
reason-signature-id-invalid = signature_id "{ $id }" is not a valid XML name
reason-signature-id-used = signature_id "{ $id }" is already used in the document
reason-signing-time = signing_time is not an RFC 3339 date and time
doctor-driver-crashed = The token driver { $path } crashed the signing tool (at { $time }, in { $function }).
doctor-driver-crashed-hint = Reinstall the certificate authority's driver (the latest version), unplug and replug the token, or restart the computer.

## The tray (vss-tray): menu, choosers, windows and notifications.
tray-title = VSS Token Signing
tray-state-ready = Ready
tray-state-attention = Needs attention
tray-state-problem = Problem
tray-menu-token = Token { $label } ({ $model })
tray-menu-certificate = { $holder } — MST { $mst } — expires { $date } ({ $days } days left)
tray-menu-certificate-expired = { $holder } — MST { $mst } — expired on { $date }
tray-menu-no-certificate = (no signing certificate)
tray-menu-busy = Signing dossiers…
tray-menu-sign = Sign dossiers…
tray-menu-verify = Check signatures…
tray-menu-diagnose = Diagnostics
tray-menu-logs = Open the log folder
tray-menu-language = Ngôn ngữ / Language
tray-menu-lang-vi = Tiếng Việt
tray-menu-lang-en = English
tray-menu-autostart = Start with the computer
tray-menu-quit = Quit
tray-choose-files = Choose the dossier XML files to sign
tray-choose-folder = Choose the folder for the signed copies
tray-choose-verify = Choose signed files to check
tray-xml-filter = XML dossiers
tray-overwrite = { $count } file(s) already exist in { $folder }. Replace them with the copies just signed?
tray-overwrite-yes = Replace
tray-overwrite-no = Keep the existing files
tray-notice-refused-title = { $count } file(s) will not be signed
tray-notice-file-refused = ✗ { $file }: { $reason }
tray-notice-file-signed = ✓ { $file } ({ $form })
tray-notice-done-title = Signed { $signed } of { $total } dossiers
tray-notice-saved-in = Saved in: { $folder }
tray-notice-more = … and { $count } more
tray-notice-failed-title = The dossiers were not signed
tray-action-open-folder = Open folder
tray-notice-expiring-title = The certificate expires in { $days } days
tray-notice-expiring-body = The certificate of { $holder } (MST { $mst }) expires on { $date }. Renew it with your certificate authority, then choose "Thay đổi thông tin" (change information) on the BHXH portal to register the new certificate.
tray-notice-expired-title = The certificate has expired
tray-notice-expired-body = The certificate of { $holder } (MST { $mst }) expired on { $date }. Renew it with your certificate authority, then choose "Thay đổi thông tin" (change information) on the BHXH portal to register the new certificate.
tray-notice-plugged-title = Token { $label } plugged in
tray-notice-plugged-none = The token holds no signing certificate.
tray-notice-unit = { $holder } (MST { $mst })
tray-notice-removed-title = Token { $label } removed
tray-notice-removed-body = Plug the token in again to sign dossiers.
tray-notice-pin-locked-title = The PIN of token { $label } is locked
tray-notice-running = VSS Token Signing is running: its icon is in the system tray, next to the clock.
tray-notice-busy = A batch of dossiers is being signed; wait until it is done.
tray-notice-copied = The support report was copied. Paste it (Ctrl+V) into your e-mail or message to your certificate authority's hotline.
tray-verify-title = Signature check
tray-verify-no-signature = No signature found.
tray-diagnose-title = VSS Token Signing diagnostics
tray-diagnose-copy = Copy the support report
tray-close = Close
tray-what-to-do = What to do: { $hint }

## Findings of XML signature verification (vss verify-xml, the tray, the dossier page): stable codes verify-<code>.

verify-duplicate_id = the ID "{ $id }" appears more than once in the document (possible signature wrapping)
verify-no_signature = no signature found
verify-signature_structure = a Signature needs exactly one SignedInfo and one SignatureValue
verify-unsupported_canonicalization = unsupported CanonicalizationMethod "{ $algorithm }"
verify-no_reference = SignedInfo has no Reference
verify-unsupported_signature_method = unsupported SignatureMethod "{ $algorithm }"
verify-signature_value_invalid = the SignatureValue does not verify with the KeyInfo certificate
verify-no_certificate = no X509Certificate in KeyInfo
verify-unsupported_digest_method = unsupported DigestMethod "{ $algorithm }"
verify-reference_without_uri = a Reference without URI is not followed
verify-id_not_unique = the ID "{ $id }" is not unique (possible signature wrapping)
verify-id_not_found = no element has the ID "{ $id }"
verify-external_reference = only same-document references are followed, not "{ $uri }"
verify-c14n_not_last = canonicalisation must be the last transform
verify-unsupported_transform = unsupported transform "{ $algorithm }"
verify-digest_mismatch = the digest does not match: the content was changed after signing
verify-weak_signature_method = the signature uses the weak algorithm SHA-1 ("{ $algorithm }"); sign again with SHA-256
verify-weak_digest_method = the reference URI="{ $uri }" uses the weak digest SHA-1 ("{ $algorithm }"); sign again with SHA-256
verify-weak_algorithm_rejected = the weak algorithm SHA-1 ("{ $algorithm }") is not accepted by the administrator's configuration
verify-covers_document = the whole document
verify-covers_document_with_comments = the whole document (with comments)
verify-covers_element = the element with ID "{ $id }"
verify-covers_document_enveloped = the whole document, without this signature
verify-covers_document_with_comments_enveloped = the whole document (with comments), without this signature
verify-covers_element_enveloped = the element with ID "{ $id }", without this signature
cli-verify-weak = Warning: the signature uses a weak algorithm (SHA-1).
