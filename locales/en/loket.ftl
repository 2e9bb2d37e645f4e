# loket — English. Mirrors locales/id/loket.ftl message for message.
# Numeric arguments arrive formatted (Rp302.750); do not reformat them.

## Command errors

err-not-understood = Sorry, I did not understand that. Type help for the list of commands.
err-missing-dest = The destination number is missing. Example: { $example }
err-bad-target = That product code or destination is not valid. Example: { $example }
err-not-a-product = Sorry, that is not a transaction: a product code is letters then digits (T10, DANA20) or a bill code (PLNPASC, HALO). Example: { $example } — type help for the list of commands.
err-bad-dest = { $kind ->
        [phone] A mobile number starts with 08 (or +62) and has { $length } digits.
        [phone-or-id] The destination must be a mobile number (08… or +62…) or an ID of { $length } digits.
        [alnum] The destination must be { $length } letters and digits (at least one digit).
        [plate] A plate is written like B1234XYZ.
       *[digits] The destination must be { $length } digits.
    } Nothing was sent. Example: { $example }
err-too-many-words = Too many words. Example: { $example }
err-bad-months = BPJS months must be 1–12. Example: { $example }
err-need-year = A 4-digit tax year is required. Example: { $example }
err-need-amount = The payment amount is required. Example: { $example }
err-not-a-bill = That code is a prepaid product, not a bill. Prepaid example: { $example }
err-not-prepaid = That code is a bill. Check the bill first: { $example }
err-need-refid = Give the refID to check. Example: status L0ABC12345
err-bad-language = Available languages: /bahasa id or /bahasa en
err-login-usage = Format: /login MEMBERID PIN APIKEY [URL] — or just /login to be asked step by step.
err-bad-user-id = A Telegram user ID is a number. Example: /izinkan 123456789
err-internal = Sorry, loket hit a problem. Please try again shortly.

## Help

# The help = this intro, then the line of each command of the command
# table (src/command.rs, COMMANDS) in order. A line several commands share
# is shown once.
help-intro = loket — PPOB transactions by chat.
help-saldo = Balance: saldo — low-balance alert: /saldo minimal 200000
help-beli = Prepaid topup: T10 087712345678
help-cek =
    Check a bill: PLNPASC 546302215889 cek
    BPJS Kesehatan: BPJSKS 0001234567890 3 cek (3 months)
    Vehicle tax / PBB: PKBJABAR B1234XYZ 2025 cek
    Credit card: CCBCA 4111111111111111 1,5jt cek
help-bayar = Pay a bill: the Pay button, or PLNPASC 546302215889 bayar
help-status = Transaction status: status REFID
help-riwayat = History: riwayat
help-bantuan = This list: bantuan
help-bahasa = Language: /bahasa id
help-account = Account: /login, /akun, /logout
help-batal = Cancel a step-by-step login: batal
help-group-intro = loket in groups — use slash commands:
help-group-saldo = /saldo — shared balance; /saldo minimal 200000 — low-balance alert (owner)
help-group-beli = /beli T10 087712345678 — prepaid topup (owner and allowed members)
help-group-cek = /cek PLNPASC 546302215889 — check a bill
help-group-bayar = /bayar PLNPASC 546302215889 — pay a bill
help-group-status = /status REFID, /riwayat
help-group-bantuan = /bantuan — this list
help-group-bahasa = /bahasa id — this group's language
help-group-settings = /hubungkan, /putus, /izinkan, /cabut — group settings

## Balance and gateway

balance = Balance of { $member }: { $amount } (as of { $at })
balance-refused = The gateway refused the balance check: { $reason }
gateway-unclear = The gateway did not answer properly. Please try again.
gateway-timeout = The gateway did not answer in time. Please try again.
gateway-unreachable = The gateway cannot be reached. Please try again later.

## Access

need-login = You are not logged in. Send /login MEMBERID PIN APIKEY in a private chat with the bot.
group-not-linked = This group is not linked to an account. The account owner types /hubungkan here.
group-not-allowed = You are not allowed to transact in this group. Ask the account owner to /izinkan you.
group-owner-logged-out = The group owner's account is logged out. The owner needs to /login again in private.
private-only = This command only works in a private chat with the bot.
group-only = This command only works in groups.
owner-only = Only the owner of the account linked to this group may do that.

## Prepaid topup

topup-duplicate = { $product } to { $dest } was sent { $minutes } minutes ago ({ $state }). Send again?
button-send-again = Send again
button-cancel = Cancel
topup-not-sent = Not sent.
question-expired = This question has expired. Type the command again if needed.
already-processed = Already processed.
topup-success =
    ✅ Topup successful
    { $product } to { $dest }
    Price: { $cost }
    SN: { $sn }
    RefID: { $ref }
topup-failed =
    ❌ Topup failed: { $reason }
    { $product } to { $dest }
    RefID: { $ref }
topup-pending =
    ⏳ Topup is being processed.
    { $product } to { $dest }
    RefID: { $ref }
    The result will be posted here.
topup-unknown =
    ⏳ The gateway's answer is unclear; the transaction is being checked. Do not resend.
    { $product } to { $dest }
    RefID: { $ref }
    The result will be posted here.

## Bills

bill =
    🧾 { $family } bill
    { $product } { $dest }
    Name: { $name }
    Bill: { $bill }
    Admin: { $admin }
    Total: { $total }
    RefID: { $ref }
bill-payable = Payable within { $minutes } minutes.
button-pay = Pay { $total }
bill-cancelled = Bill { $product } { $dest } cancelled.
inquiry-failed = Bill check { $product } { $dest } failed: { $reason }
inquiry-no-amount = The gateway did not state the bill amount: { $raw }
pay-need-inquiry = No checked bill for that number yet. Check first: { $example }
pay-not-yours = This bill is not yours.
pay-already = This bill is already paid/being processed.
bill-payment-in-progress = The earlier payment of this bill (RefID { $ref }) is still being checked. Wait for its result; check it: status { $ref }
bill-replaced = A newer check replaced this bill. Pay from the newest bill message.
bill-paid-today = Bill { $product } { $dest } was already paid today at { $time } WIB ({ $cost }, RefID { $ref }). Pay again?
button-pay-again = Pay again
pay-closed = This bill is closed. Check again: { $example }
bill-closed = This bill is closed.
pay-expired = This bill has expired. Check again: { $example }
button-working = ⏳ Processing…
button-stale = This button is no longer valid.
pay-success =
    ✅ Payment successful
    { $product } { $dest }
    Paid: { $cost }
    SN: { $sn }
    RefID: { $ref }
pay-failed =
    ❌ Payment failed: { $reason }
    { $product } { $dest }
    RefID: { $ref }
pay-pending =
    ⏳ Payment is being processed.
    { $product } { $dest }
    RefID: { $ref }
    The result will be posted here.
pay-unknown =
    ⏳ The gateway's answer is unclear; the payment is being checked. Do not pay again.
    { $product } { $dest }
    RefID: { $ref }
    The result will be posted here.

family-pln = PLN postpaid
family-plnnontaglis = PLN non-bill
family-pdam = PDAM water
family-bpjsks = BPJS Kesehatan
family-bpjstk = BPJS Ketenagakerjaan
family-telkom = Indihome / Telephone
family-hppasca = Postpaid mobile
family-tv = Pay TV
family-finance = Multifinance
family-pgn = PGN gas
family-pertagas = Pertagas
family-pkb = Vehicle tax
family-pbb = Property tax (PBB)
family-cc = Credit card

## Status and history

state-success = successful
state-failed = failed
state-pending = processing
state-unknown = being checked
status-unpaid-bill = RefID { $ref } is an unpaid bill check for { $product } { $dest }.
status-unknown-ref = RefID { $ref } is not known in this chat.
history-title = Latest transactions:
history-empty = No transactions yet.
history-line = { $time } { $product } { $dest } — { $state } { $cost } ({ $ref })
followup-gave-up = Transaction { $ref } is still not settled after 24 hours. Contact your gateway's support with this refID.
unsigned-logged-out = Transaction { $ref } is not settled yet and cannot be checked: the account that sent it has logged out. Log in again as member { $member } (gateway { $gateway }); loket checks it at once.
unsigned-other-member = Transaction { $ref } is not settled yet and cannot be checked: this account is now logged in as another member. It was sent by member { $member }; log in again as that member so loket can check it.
unsigned-other-gateway = Transaction { $ref } is not settled yet and cannot be checked: this account's gateway has changed. It was sent to { $gateway } by member { $member }; log in again with that gateway, or ask loket's operator.

## Language

language-usage = Choose a language: /bahasa id or /bahasa en
language-set = Language set to English.

## Account

login-group-refused = For your safety, log in only in a private chat with the bot. Open a private chat and send /login there. Nothing was stored.
secret-not-deleted = ⚠️ I could not delete this message holding a PIN/API key. Delete it yourself now, and change your PIN if needed.
login-ask-member = Send your member ID.
login-ask-pin = Send your PIN. The message will be deleted at once.
login-ask-key = Send your API key. The message will be deleted at once.
login-one-word = Send a single word, or /batal.
login-member-usage = Send just the member ID (one word), or all at once: MEMBERID PIN APIKEY [URL]. Want to transact? /batal first, or use /beli.
login-edit-deleted = The edited message held a login, so I deleted it. Edited messages are not run: send /login as a new message.
login-cancelled = Login cancelled.
nothing-to-cancel = Nothing to cancel.
login-too-many = Too many login attempts. Wait a few minutes.
login-bad-member = That member ID is not valid.
login-bad-url = That gateway URL is not valid. Example: https://h2h.example.co.id
login-ok = Logged in as { $member }. Balance: { $amount }
login-refused = The gateway refused the login: { $reason }. Nothing was stored.
login-saved-unverified = Account { $member } saved, but the gateway could not be reached to confirm it. Try: saldo
logout-ok = You are logged out; the account data is deleted.
logout-none = You are not logged in.
account =
    Account: { $member }
    Gateway: { $url }
    API key: { $key }
account-private-only = Account details are shown only to their owner, in a private chat with the bot. Type /akun there.
account-demo =
    Demo account: { $member }
    Sandbox gateway: { $url }
    API key: { $key }
    Switch with /login MEMBERID PIN APIKEY URL

## Groups

link-need-login = Log in first in a private chat with the bot, then type /hubungkan here.
link-taken = This group is already linked to another member's account.
link-ok = Group linked to your account. Everyone can /saldo; transactions are for you and members you allow.
unlink-ok = Group unlinked from the account.
allow-usage = Reply to that person's message with /izinkan, or type /izinkan TELEGRAM_ID.
revoke-usage = Reply to that person's message with /cabut, or type /cabut TELEGRAM_ID.
allow-owner = The account owner may always transact.
allow-ok = User { $user } may now transact in this group.
revoke-ok = User { $user } may no longer transact here.

## Console

console-welcome = loket console — demo account on the sandbox gateway { $url }. Type help, or quit to stop.
console-buttons = Buttons: { $buttons } — type a label or its number to press it.
console-deleted = (holds a secret: not shown; on Telegram this message is deleted)

## Telegram command menu

cmd-saldo = Check balance
cmd-beli = Prepaid topup: /beli T10 087712345678
cmd-cek = Check a bill: /cek PLNPASC 546302215889
cmd-bayar = Pay a checked bill
cmd-status = Transaction status: /status REFID
cmd-riwayat = Transaction history
cmd-bantuan = How to use
cmd-bahasa = Change language: /bahasa id
cmd-login = Log in to your gateway (private chat)
cmd-akun = Show account
cmd-logout = Log out and delete the account
cmd-hubungkan = Link this group to your account
cmd-putus = Unlink this group
cmd-izinkan = Allow a member to transact
cmd-cabut = Withdraw a member's permission

## Gateway answers that are not clear yet

gateway-said = The gateway said: { $words }
status-gateway-says = The gateway says now: { $words }
status-corrected = ⚠️ The gateway now says { $state } for { $ref } (recorded before: { $before }).
status-corrected-charged = { $cost } was charged.
followup-gateway-says = ⏳ { $ref } is still being checked. The gateway said: { $words }
attachment-line = 📎 { $name } ({ $bytes } bytes) saved to { $path }
attachment-failed = 📎 { $name } could not be saved: { $error }

## The shop: selling prices, the shop on receipts, receipts, recaps, export.

cmd-struk = Receipt for a customer: /struk REFID
cmd-rekap = Sales recap: /rekap, /rekap 2026-11
cmd-ekspor = Download a month of transactions (CSV): /ekspor 2026-11
cmd-jual = Selling prices: /jual T10 12000
cmd-toko = Shop name on receipts: /toko Shop Name, address
help-struk = Customer receipt: the Struk button, or struk REFID
help-group-struk = /struk REFID — a receipt for the customer
help-rekap =
    Recap: rekap, rekap kemarin, rekap 2026-11-30, rekap 2026-11
    Nightly recap: /rekap otomatis 21:00 (off: /rekap otomatis mati)
help-group-rekap = /rekap, /rekap 2026-11, /ekspor 2026-11 — this group's recap and CSV
help-ekspor = A month of transactions as CSV: /ekspor 2026-11
help-jual =
    Selling prices: /jual (list), /jual T10 12000, /jual T* +1000, /jual pln +2500
    Remove a rule: /jual hapus T10
help-toko = Shop on receipts: /toko Konter Berkah, Jl. Mawar 5 — bottom line: /toko catatan Thank you
help-group-shop = /jual, /toko — selling prices and shop (owner)
err-price-usage =
    Selling price format:
    /jual T10 12000 — a fixed price for one code
    /jual T* +1000 — a markup for codes starting with T
    /jual pln +2500 — a counter fee on PLN bills
    /jual hapus T10 — remove a rule
err-fixed-bill-price = Bills change every month, so their price cannot be fixed. Add a counter fee instead, e.g.: { $example }
err-shop-usage =
    Shop format (at most 80 characters per line):
    /toko Konter Berkah, Jl. Mawar 5
    /toko catatan Thank you for shopping
    /toko hapus
err-recap-usage = Recap format: rekap, rekap kemarin, rekap 2026-11-30, rekap 2026-11, /rekap otomatis 21:00, /rekap otomatis mati
err-export-usage = Export format: /ekspor 2026-11
shop-owner-only = Only the owner of this group's account can change selling prices, the shop and the nightly recap.
price-too-many = There are already { $max } selling-price rules. Remove unused ones first: /jual hapus CODE
price-set = Selling price saved: { $rule }
price-no-rule = There is no selling-price rule for { $key }. See the list: /jual
price-removed = Selling-price rule { $key } removed.
price-none =
    No selling prices yet: customers pay the gateway's price.
    For example: /jual T10 12000, /jual T* +1000, /jual pln +2500
price-title = Selling prices:
price-hint = An exact code beats a prefix, a longer prefix beats a shorter one. Remove: /jual hapus CODE
price-rule-fixed = { $code } sells at { $price }
price-rule-markup = { $code } gateway price + { $add }
price-rule-fee = { $family } bills ({ $key }) + counter fee { $fee }
shop-none = No shop name on receipts yet. Set it: /toko Konter Berkah, Jl. Mawar 5
shop-field-none = (empty)
shop-show =
    Shop on receipts:
    Name: { $name }
    Address: { $address }
    Note: { $footer }
shop-saved = Shop saved.
shop-cleared = Shop name removed from receipts.
shop-name-first = Set the shop name first: /toko Konter Berkah, Jl. Mawar 5
struk-unknown-ref = There is no transaction { $ref } to see in this chat.
struk-not-success = Receipts are only for successful transactions. { $ref }: { $state }
button-copy-sn = 📋 Copy SN
button-copy-token = 📋 Copy token
button-struk = 🧾 Receipt
receipt-selling = Collect from customer: { $sell } (profit { $profit })
bill-collect = Collect from customer: { $collect }
struk-heading-token = PLN PREPAID ELECTRICITY RECEIPT
struk-heading-topup = PURCHASE RECEIPT
struk-heading-bill = { $family } PAYMENT RECEIPT
struk-family-token = PLN token
struk-family-topup = Topup
struk-product = Product
struk-dest = Customer no.
struk-name = Name
struk-months = Period
struk-months-value = { $months } month(s)
struk-year = Year
struk-card-amount = Amount paid
struk-tariff = Tariff/power
struk-kwh = kWh
struk-token = TOKEN
struk-sn = SN
struk-price = Total
struk-ref = Ref
struk-time = { $time } WIB
struk-kwh-value = { $kwh } kWh
struk-unknown = -
struk-thanks = Thank you
recap-auto-on = The nightly recap is sent to this chat every day at { $time } WIB.
recap-auto-off = The nightly recap is off.
recap-day = { $day }
recap-month = { $month }
recap =
    📊 Recap { $period }
    Success: { $success } · Failed: { $failed } · Being checked: { $checking }
    Paid to the gateway: { $paid }
    Sales: { $sold }
    Profit: { $profit }
recap-group-share = (this group's transactions only)
recap-top = Best sellers:
recap-top-line = • { $product }: { $count } × — { $sold }
recap-chart-sold = Sales
recap-chart-profit = Profit
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
export-empty = There are no transactions in { $month }.
export-caption = Transactions of { $month }: { $count } rows (CSV, times in WIB).
export-col-time = time_wib
export-col-ref = refid
export-col-product = product
export-col-dest = customer_number
export-col-kind = kind
export-col-state = state
export-col-cost = gateway_price
export-col-sell = selling_price
export-col-profit = profit
export-col-sn = sn
export-kind-topup = topup
export-kind-payment = bill payment

## Low-balance alert.

err-balance-alert-usage = Low-balance alert format: /saldo minimal 200000 (off: /saldo minimal mati)
balance-alert-is = The low-balance alert is on: you are told when the balance is under { $threshold }. Off: /saldo minimal mati
balance-alert-none = No low-balance alert yet. Set one: /saldo minimal 200000
balance-alert-set = Low-balance alert saved: you are told once when the balance is under { $threshold }.
balance-alert-off = The low-balance alert is off.
balance-low = ⚠️ The balance is down to { $balance }, under your limit of { $threshold }. Top up your deposit at the center soon.

## Repeat a topup.

cmd-ulang = Repeat the last topup
help-ulang = Repeat this chat's last topup: ulang (or the Ulangi button)
help-group-ulang = /ulang — repeat this group's last topup
button-repeat = 🔁 Repeat
repeat-nothing = There is no topup in this chat to repeat yet.

## Saved customers.

cmd-simpan = Save a customer: /simpan PLNPASC 546302215889 Pak Anto
cmd-pelanggan = Customers: /pelanggan, /pelanggan cari anto
help-pelanggan =
    Customers: simpan PLNPASC 546302215889 Pak Anto (or the Simpan button), pelanggan, pelanggan cari anto, hapus pelanggan 3
    Use a customer's name as the number: PLNPASC anto cek, T10 anto
help-group-pelanggan = /simpan, /pelanggan, /hapus pelanggan 3 — this account's regular customers
err-save-usage = Save format: simpan PLNPASC 546302215889 Pak Anto (a name of at most 40 characters)
err-customers-usage = Format: pelanggan, pelanggan 2, pelanggan cari anto, hapus pelanggan 3
button-save = 💾 Save
customer-saved = Customer saved: { $name } — { $product } { $dest }
customer-too-many = There are already { $max } customers. Remove unused ones: hapus pelanggan N
customer-forgotten = Customer removed: { $name } — { $product } { $dest }
customer-no-number = There is no customer number { $n }. See the list: pelanggan
customers-none = No saved customers yet. Save one: simpan PLNPASC 546302215889 Pak Anto
customers-title = Customers (page { $page }/{ $pages }, { $count } in all):
customers-next = Next: pelanggan { $next }
customers-found = Customers with "{ $words }":
customers-not-found = No customer with "{ $words }".
customers-line = { $n }. { $name } — { $product } { $dest }
customers-last-paid = {" "}· last { $price } ({ $day })
customers-which = That name fits more than one customer. Type one of:
customers-which-line = • { $name }: { $typed }

## Checking every saved bill at once (cek semua).

cmd-cekbulanan = Check every saved customer's bill
help-cek-semua = Check every saved customer's bill at once: cek semua (or /cekbulanan) — pay each with its own button
help-group-cek-semua = /cekbulanan (or /cek semua) — check every saved bill of this account
check-all-none = No saved bill customers yet. Save one first: simpan PLNPASC 546302215889 Pak Anto
check-all-running = A check of every bill is still running ({ $checked }/{ $count } checked). Wait for its summary.
check-all-capped = One run checks at most { $max } of your { $saved } bill customers.
check-all-progress = ⏳ Checking customers' bills: { $checked }/{ $count } checked
check-all-done = ✅ Done: { $checked }/{ $count } checked. Summary below.
check-all-summary = Summary of { $count } bills checked:
check-all-line-bill = { $n }. { $name } — { $product } { $dest }: { $total }
check-all-line-paying = { $n }. { $name } — { $product } { $dest }: { $total } ⏳ being paid
check-all-line-paid = { $n }. { $name } — { $product } { $dest }: { $total } ✅ paid
check-all-line-closed = { $n }. { $name } — { $product } { $dest }: { $total } — cannot be paid from here, check again
check-all-line-expired = { $n }. { $name } — { $product } { $dest }: { $total } — expired, check again
check-all-line-paid-already = { $n }. { $name } — { $product } { $dest }: already paid this month ({ $date } WIB)
check-all-line-nothing-due = { $n }. { $name } — { $product } { $dest }: nothing due ({ $reason })
check-all-line-unsettled = { $n }. { $name } — { $product } { $dest }: payment { $ref } is still being processed
check-all-line-failed = { $n }. { $name } — { $product } { $dest }: check failed ({ $reason })
check-all-line-unclear = { $n }. { $name } — { $product } { $dest }: no clear answer yet, check again later
check-all-line-needs-amount = { $n }. { $name }: a credit card, type its amount: { $example }
check-all-line-waiting = { $n }. { $name } — { $product } { $dest }: still being checked…
check-all-total = Unpaid: { $count } bills, total { $total }
check-all-more-coming = Results still being checked are added here.
check-all-collect ={" "}· collect { $collect }
check-all-button-pay = Pay { $n }. { $name } { $total }

## Center habits (PIN last, counters, center words).

pin-removed = 🔒 Your message holding a PIN was deleted. loket never needs your PIN; just type: { $typed }
pin-removed-plain = 🔒 Your message holding a PIN was deleted. loket never needs your PIN.
pin-not-needed = 🔒 PIN is not needed in loket; your message was deleted. Nothing was sent.
pin-group-reminder = Never type your PIN in a group: log in once in a private chat with the bot (/login), then trade without a PIN.
pin-edit-deleted = 🔒 The edited message held a PIN, so it was deleted. loket never needs your PIN.
price-list-none = loket has no price list from the center. Your own selling prices: /jual (set one: /jual T10 12000).
help-harga = Center habits: T10.087712345678.PIN and SAL.PIN run without the PIN (the message is deleted), T10.2.087712345678 = send again, S/SAL = balance, CS REFID = status, H/HARGA → /jual
help-group-harga = Never type a PIN in a group: a message holding one is deleted. /harga → /jual
