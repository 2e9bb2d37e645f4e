# loket — Bahasa Indonesia (bahasa utama).
# Argumen angka sudah diformat (Rp302.750) oleh kode; jangan format ulang.

## Kesalahan perintah

err-not-understood = Maaf, perintah tidak dikenali. Ketik bantuan untuk daftar perintah.
err-missing-dest = Nomor tujuan belum ada. Contoh: { $example }
err-bad-target = Kode produk atau nomor tujuan tidak valid. Contoh: { $example }
err-not-a-product = Maaf, itu bukan perintah transaksi: kode produk berupa huruf lalu angka (T10, DANA20) atau kode tagihan (PLNPASC, HALO). Contoh: { $example } — ketik bantuan untuk daftar perintah.
err-bad-dest = { $kind ->
        [phone] Nomor HP harus diawali 08 (atau +62), { $length } angka.
        [phone-or-id] Nomor tujuan harus nomor HP (08… atau +62…) atau ID { $length } angka.
        [alnum] Nomor tujuan harus { $length } huruf dan angka (minimal satu angka).
        [plate] Nomor polisi ditulis seperti B1234XYZ.
       *[digits] Nomor tujuan harus { $length } angka.
    } Tidak dikirim. Contoh: { $example }
err-too-many-words = Kelebihan kata. Contoh: { $example }
err-bad-months = Jumlah bulan BPJS harus 1–12. Contoh: { $example }
err-need-year = Tahun pajak (4 angka) wajib diisi. Contoh: { $example }
err-need-amount = Nominal pembayaran wajib diisi. Contoh: { $example }
err-not-a-bill = Kode itu produk isi ulang, bukan tagihan. Contoh isi ulang: { $example }
err-not-prepaid = Kode itu produk tagihan. Cek dulu tagihannya: { $example }
err-need-refid = Tulis refID yang mau dicek. Contoh: status L0ABC12345
err-bad-language = Bahasa yang tersedia: /bahasa id atau /bahasa en
err-login-usage = Format: /login MEMBERID PIN APIKEY [URL] — atau ketik /login saja untuk diisi bertahap.
err-bad-user-id = ID pengguna Telegram harus berupa angka. Contoh: /izinkan 123456789
err-internal = Maaf, ada gangguan di loket. Coba lagi sebentar lagi.

## Bantuan

# Bantuan = pembuka ini, lalu baris setiap perintah di tabel perintah
# (src/command.rs, COMMANDS) secara berurutan. Baris yang dipakai beberapa
# perintah tampil sekali.
help-intro = loket — transaksi PPOB lewat chat.
help-saldo = Saldo: saldo — peringatan saldo menipis: /saldo minimal 200000
help-beli = Isi ulang: T10 087712345678
help-cek =
    Cek tagihan: PLNPASC 546302215889 cek
    BPJS Kesehatan: BPJSKS 0001234567890 3 cek (3 bulan)
    Pajak kendaraan / PBB: PKBJABAR B1234XYZ 2025 cek
    Kartu kredit: CCBCA 4111111111111111 1,5jt cek
help-bayar = Bayar tagihan: tombol Bayar, atau PLNPASC 546302215889 bayar
help-status = Status transaksi: status REFID
help-riwayat = Riwayat: riwayat
help-bantuan = Daftar ini: bantuan
help-bahasa = Bahasa: /bahasa en
help-account = Akun: /login, /akun, /logout
help-batal = Batalkan login bertahap: batal
help-group-intro = loket di grup — pakai perintah garis miring:
help-group-saldo = /saldo — cek saldo bersama; /saldo minimal 200000 — peringatan saldo menipis (pemilik)
help-group-beli = /beli T10 087712345678 — isi ulang (pemilik dan yang diizinkan)
help-group-cek = /cek PLNPASC 546302215889 — cek tagihan
help-group-bayar = /bayar PLNPASC 546302215889 — bayar tagihan
help-group-status = /status REFID, /riwayat
help-group-bantuan = /bantuan — daftar ini
help-group-bahasa = /bahasa en — bahasa grup ini
help-group-settings = /hubungkan, /putus, /izinkan, /cabut — pengaturan grup

## Saldo dan gateway

balance = Saldo { $member }: { $amount } (per { $at })
balance-refused = Gateway menolak cek saldo: { $reason }
gateway-unclear = Gateway tidak menjawab dengan benar. Silakan coba lagi.
gateway-timeout = Gateway tidak menjawab tepat waktu. Silakan coba lagi.
gateway-unreachable = Gateway tidak dapat dihubungi. Silakan coba lagi nanti.

## Akses

need-login = Anda belum login. Kirim /login MEMBERID PIN APIKEY di chat pribadi dengan bot.
group-not-linked = Grup ini belum terhubung ke akun. Pemilik akun ketik /hubungkan di sini.
group-not-allowed = Anda belum diizinkan bertransaksi di grup ini. Minta pemilik akun mengetik /izinkan.
group-owner-logged-out = Akun pemilik grup sudah logout. Pemilik perlu /login lagi di chat pribadi.
private-only = Perintah ini hanya untuk chat pribadi dengan bot.
group-only = Perintah ini hanya untuk grup.
owner-only = Hanya pemilik akun yang menghubungkan grup ini yang boleh melakukannya.

## Isi ulang

topup-duplicate = { $product } ke { $dest } sudah dikirim { $minutes } menit lalu ({ $state }). Kirim lagi?
button-send-again = Kirim lagi
button-cancel = Batal
topup-not-sent = Tidak dikirim.
question-expired = Pertanyaan ini sudah kedaluwarsa. Ketik ulang perintahnya bila perlu.
already-processed = Sudah diproses.
topup-success =
    ✅ Isi ulang berhasil
    { $product } ke { $dest }
    Harga: { $cost }
    SN: { $sn }
    RefID: { $ref }
topup-failed =
    ❌ Isi ulang gagal: { $reason }
    { $product } ke { $dest }
    RefID: { $ref }
topup-pending =
    ⏳ Isi ulang sedang diproses.
    { $product } ke { $dest }
    RefID: { $ref }
    Hasilnya akan dikabarkan di sini.
topup-unknown =
    ⏳ Jawaban gateway belum jelas; transaksi sedang dicek. Jangan kirim ulang.
    { $product } ke { $dest }
    RefID: { $ref }
    Hasilnya akan dikabarkan di sini.

## Tagihan

bill =
    🧾 Tagihan { $family }
    { $product } { $dest }
    Nama: { $name }
    Tagihan: { $bill }
    Admin: { $admin }
    Total: { $total }
    RefID: { $ref }
bill-payable = Bisa dibayar dalam { $minutes } menit.
button-pay = Bayar { $total }
bill-cancelled = Tagihan { $product } { $dest } dibatalkan.
inquiry-failed = Cek tagihan { $product } { $dest } gagal: { $reason }
inquiry-no-amount = Gateway tidak menyebut jumlah tagihan: { $raw }
pay-need-inquiry = Belum ada tagihan yang dicek untuk nomor itu. Cek dulu: { $example }
pay-not-yours = Tagihan ini bukan milik Anda.
pay-already = Tagihan ini sudah dibayar/diproses.
bill-payment-in-progress = Pembayaran tagihan ini sebelumnya (RefID { $ref }) masih dicek. Tunggu hasilnya; cek status: status { $ref }
bill-replaced = Tagihan ini sudah diganti oleh cek yang lebih baru. Bayar dari pesan tagihan terbaru.
bill-paid-today = Tagihan { $product } { $dest } sudah dibayar hari ini pukul { $time } WIB ({ $cost }, RefID { $ref }). Bayar lagi?
button-pay-again = Bayar lagi
pay-closed = Tagihan ini sudah ditutup. Cek ulang: { $example }
bill-closed = Tagihan ini sudah ditutup.
pay-expired = Tagihan ini sudah kedaluwarsa. Cek ulang: { $example }
button-working = ⏳ Sedang diproses…
button-stale = Tombol ini sudah tidak berlaku.
pay-success =
    ✅ Pembayaran berhasil
    { $product } { $dest }
    Dibayar: { $cost }
    SN: { $sn }
    RefID: { $ref }
pay-failed =
    ❌ Pembayaran gagal: { $reason }
    { $product } { $dest }
    RefID: { $ref }
pay-pending =
    ⏳ Pembayaran sedang diproses.
    { $product } { $dest }
    RefID: { $ref }
    Hasilnya akan dikabarkan di sini.
pay-unknown =
    ⏳ Jawaban gateway belum jelas; pembayaran sedang dicek. Jangan bayar ulang.
    { $product } { $dest }
    RefID: { $ref }
    Hasilnya akan dikabarkan di sini.

family-pln = PLN Pascabayar
family-plnnontaglis = PLN Non-Taglis
family-pdam = PDAM
family-bpjsks = BPJS Kesehatan
family-bpjstk = BPJS Ketenagakerjaan
family-telkom = Indihome / Telepon
family-hppasca = HP Pascabayar
family-tv = TV Berlangganan
family-finance = Multifinance
family-pgn = PGN
family-pertagas = Pertagas
family-pkb = Pajak Kendaraan
family-pbb = PBB
family-cc = Kartu Kredit

## Status dan riwayat

state-success = berhasil
state-failed = gagal
state-pending = diproses
state-unknown = sedang dicek
status-unpaid-bill = RefID { $ref } adalah cek tagihan { $product } { $dest } yang belum dibayar.
status-unknown-ref = RefID { $ref } tidak dikenal di chat ini.
history-title = Riwayat transaksi terakhir:
history-empty = Belum ada transaksi.
history-line = { $time } { $product } { $dest } — { $state } { $cost } ({ $ref })
followup-gave-up = Transaksi { $ref } belum ada kepastian setelah 24 jam. Hubungi CS gateway Anda dengan refID ini.
unsigned-logged-out = Transaksi { $ref } belum ada kepastian dan belum bisa dicek: akun yang mengirimnya sudah logout. Login lagi dengan member { $member } (gateway { $gateway }); loket langsung mengeceknya.
unsigned-other-member = Transaksi { $ref } belum ada kepastian dan belum bisa dicek: akun ini sekarang login dengan member lain. Transaksi ini dikirim oleh member { $member }; login lagi dengan member itu agar loket bisa mengeceknya.
unsigned-other-gateway = Transaksi { $ref } belum ada kepastian dan belum bisa dicek: gateway akun ini sudah berubah. Transaksi ini dikirim ke { $gateway } oleh member { $member }; login lagi dengan gateway itu, atau tanyakan ke operator loket.

## Bahasa

language-usage = Pilih bahasa: /bahasa id atau /bahasa en
language-set = Bahasa diganti ke Bahasa Indonesia.

## Akun

login-group-refused = Demi keamanan, login hanya lewat chat pribadi dengan bot. Buka chat pribadi dan kirim /login di sana. Tidak ada yang disimpan.
secret-not-deleted = ⚠️ Pesan berisi PIN/API key ini tidak bisa saya hapus. Hapus sendiri sekarang, lalu ganti PIN Anda bila perlu.
login-ask-member = Kirim member ID Anda.
login-ask-pin = Kirim PIN Anda. Pesannya akan langsung dihapus.
login-ask-key = Kirim API key Anda. Pesannya akan langsung dihapus.
login-one-word = Kirim satu kata saja, atau /batal.
login-member-usage = Kirim member ID saja (satu kata), atau sekaligus: MEMBERID PIN APIKEY [URL]. Mau transaksi? /batal dulu, atau pakai /beli.
login-edit-deleted = Pesan yang diedit berisi login, jadi saya hapus. Pesan yang diedit tidak dijalankan: kirim /login sebagai pesan baru.
login-cancelled = Login dibatalkan.
nothing-to-cancel = Tidak ada yang dibatalkan.
login-too-many = Terlalu banyak percobaan login. Tunggu beberapa menit.
login-bad-member = Member ID tidak valid.
login-bad-url = URL gateway tidak valid. Contoh: https://h2h.contoh.co.id
login-ok = Login berhasil sebagai { $member }. Saldo: { $amount }
login-refused = Login ditolak gateway: { $reason }. Tidak ada yang disimpan.
login-saved-unverified = Akun { $member } disimpan, tetapi gateway belum bisa dihubungi untuk memastikan. Coba: saldo
logout-ok = Anda sudah logout; data akun dihapus.
logout-none = Anda belum login.
account =
    Akun: { $member }
    Gateway: { $url }
    API key: { $key }
account-private-only = Data akun hanya ditampilkan kepada pemiliknya, di chat pribadi dengan bot. Ketik /akun di sana.
account-demo =
    Akun demo: { $member }
    Gateway sandbox: { $url }
    API key: { $key }
    Ganti dengan /login MEMBERID PIN APIKEY URL

## Grup

link-need-login = Login dulu di chat pribadi dengan bot, lalu ketik /hubungkan di sini.
link-taken = Grup ini sudah terhubung ke akun anggota lain.
link-ok = Grup terhubung ke akun Anda. Semua anggota bisa /saldo; transaksi hanya untuk Anda dan yang diizinkan.
unlink-ok = Grup diputus dari akun.
allow-usage = Balas pesan orangnya dengan /izinkan, atau ketik /izinkan ID_TELEGRAM.
revoke-usage = Balas pesan orangnya dengan /cabut, atau ketik /cabut ID_TELEGRAM.
allow-owner = Pemilik akun selalu boleh bertransaksi.
allow-ok = Pengguna { $user } sekarang boleh bertransaksi di grup ini.
revoke-ok = Izin pengguna { $user } dicabut.

## Konsol

console-welcome = loket konsol — akun demo di gateway sandbox { $url }. Ketik bantuan, atau keluar untuk berhenti.
console-buttons = Tombol: { $buttons } — ketik label atau nomornya untuk menekan.
console-deleted = (berisi rahasia: tidak ditampilkan; di Telegram pesan ini dihapus)

## Menu perintah Telegram

cmd-saldo = Cek saldo
cmd-beli = Isi ulang: /beli T10 087712345678
cmd-cek = Cek tagihan: /cek PLNPASC 546302215889
cmd-bayar = Bayar tagihan yang sudah dicek
cmd-status = Status transaksi: /status REFID
cmd-riwayat = Riwayat transaksi
cmd-bantuan = Cara pakai
cmd-bahasa = Ganti bahasa: /bahasa en
cmd-login = Login akun gateway (chat pribadi)
cmd-akun = Lihat akun
cmd-logout = Logout dan hapus akun
cmd-hubungkan = Hubungkan grup ke akun Anda
cmd-putus = Putuskan grup dari akun
cmd-izinkan = Izinkan anggota bertransaksi
cmd-cabut = Cabut izin anggota

## Jawaban gateway yang belum jelas

gateway-said = Jawaban gateway: { $words }
status-gateway-says = Jawaban gateway saat ini: { $words }
status-corrected = ⚠️ Gateway sekarang menyatakan { $state } untuk { $ref } (catatan sebelumnya: { $before }).
status-corrected-charged = Saldo terpotong { $cost }.
followup-gateway-says = ⏳ { $ref } masih dicek. Jawaban gateway: { $words }
attachment-line = 📎 { $name } ({ $bytes } byte) disimpan di { $path }
attachment-failed = 📎 { $name } tidak bisa disimpan: { $error }

## The shop: selling prices, the shop on receipts, receipts, recaps, export.

cmd-struk = Struk untuk pelanggan: /struk REFID
cmd-rekap = Rekap penjualan: /rekap, /rekap 2026-11
cmd-ekspor = Unduh transaksi sebulan (CSV): /ekspor 2026-11
cmd-jual = Harga jual: /jual T10 12000
cmd-toko = Nama toko di struk: /toko Nama Toko, alamat
help-struk = Struk pelanggan: tombol Struk, atau struk REFID
help-group-struk = /struk REFID — struk untuk pelanggan
help-rekap =
    Rekap: rekap, rekap kemarin, rekap 2026-11-30, rekap 2026-11
    Rekap otomatis tiap malam: /rekap otomatis 21:00 (matikan: /rekap otomatis mati)
help-group-rekap = /rekap, /rekap 2026-11, /ekspor 2026-11 — rekap dan CSV grup ini
help-ekspor = Transaksi sebulan sebagai CSV: /ekspor 2026-11
help-jual =
    Harga jual: /jual (daftar), /jual T10 12000, /jual T* +1000, /jual pln +2500
    Hapus aturan: /jual hapus T10
help-toko = Toko di struk: /toko Konter Berkah, Jl. Mawar 5 — catatan bawah: /toko catatan Terima kasih
help-group-shop = /jual, /toko — harga jual dan toko (pemilik)
err-price-usage =
    Format harga jual:
    /jual T10 12000 — harga tetap satu kode
    /jual T* +1000 — tambah untung untuk kode yang diawali T
    /jual pln +2500 — admin loket untuk tagihan PLN
    /jual hapus T10 — hapus aturan
err-fixed-bill-price = Tagihan berubah tiap bulan, jadi harganya tidak bisa tetap. Tambahkan biaya admin loket, misalnya: { $example }
err-shop-usage =
    Format toko (paling banyak 80 huruf per baris):
    /toko Konter Berkah, Jl. Mawar 5
    /toko catatan Terima kasih sudah belanja
    /toko hapus
err-recap-usage = Format rekap: rekap, rekap kemarin, rekap 2026-11-30, rekap 2026-11, /rekap otomatis 21:00, /rekap otomatis mati
err-export-usage = Format ekspor: /ekspor 2026-11
shop-owner-only = Hanya pemilik akun grup ini yang bisa mengubah harga jual, toko, dan rekap otomatis.
price-too-many = Aturan harga jual sudah { $max }. Hapus dulu yang tidak dipakai: /jual hapus KODE
price-set = Harga jual disimpan: { $rule }
price-no-rule = Tidak ada aturan harga jual untuk { $key }. Lihat daftarnya: /jual
price-removed = Aturan harga jual { $key } dihapus.
price-none =
    Belum ada harga jual: pelanggan membayar harga dari gateway.
    Contoh: /jual T10 12000, /jual T* +1000, /jual pln +2500
price-title = Harga jual:
price-hint = Kode tepat mengalahkan awalan, awalan panjang mengalahkan yang pendek. Hapus: /jual hapus KODE
price-rule-fixed = { $code } dijual { $price }
price-rule-markup = { $code } harga gateway + { $add }
price-rule-fee = tagihan { $family } ({ $key }) + admin loket { $fee }
shop-none = Belum ada nama toko di struk. Atur: /toko Konter Berkah, Jl. Mawar 5
shop-field-none = (kosong)
shop-show =
    Toko di struk:
    Nama: { $name }
    Alamat: { $address }
    Catatan: { $footer }
shop-saved = Toko disimpan.
shop-cleared = Nama toko dihapus dari struk.
shop-name-first = Atur nama toko dulu: /toko Konter Berkah, Jl. Mawar 5
struk-unknown-ref = Tidak ada transaksi { $ref } yang bisa dilihat di chat ini.
struk-not-success = Struk hanya untuk transaksi yang berhasil. { $ref }: { $state }
button-copy-sn = 📋 Salin SN
button-copy-token = 📋 Salin token
button-struk = 🧾 Struk
receipt-selling = Tagih pelanggan: { $sell } (laba { $profit })
bill-collect = Tagih pelanggan: { $collect }
struk-heading-token = STRUK PEMBELIAN LISTRIK PRABAYAR
struk-heading-topup = STRUK PEMBELIAN
struk-heading-bill = STRUK PEMBAYARAN { $family }
struk-family-token = Token PLN
struk-family-topup = Isi ulang
struk-product = Produk
struk-dest = No. pelanggan
struk-name = Nama
struk-months = Periode
struk-months-value = { $months } bulan
struk-year = Tahun
struk-card-amount = Jumlah bayar
struk-tariff = Tarif/daya
struk-kwh = Jumlah kWh
struk-token = TOKEN
struk-sn = SN
struk-price = Total bayar
struk-ref = Ref
struk-time = { $time } WIB
struk-kwh-value = { $kwh } kWh
struk-unknown = -
struk-thanks = Terima kasih
recap-auto-on = Rekap otomatis dikirim ke chat ini setiap hari pukul { $time } WIB.
recap-auto-off = Rekap otomatis dimatikan.
recap-day = { $day }
recap-month = { $month }
recap =
    📊 Rekap { $period }
    Berhasil: { $success } · Gagal: { $failed } · Masih dicek: { $checking }
    Bayar ke gateway: { $paid }
    Penjualan: { $sold }
    Laba: { $profit }
recap-group-share = (transaksi di grup ini saja)
recap-top = Produk terlaris:
recap-top-line = • { $product }: { $count } × — { $sold }
recap-chart-sold = Penjualan
recap-chart-profit = Laba
month-1 = Januari
month-2 = Februari
month-3 = Maret
month-4 = April
month-5 = Mei
month-6 = Juni
month-7 = Juli
month-8 = Agustus
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Desember
export-empty = Tidak ada transaksi di { $month }.
export-caption = Transaksi { $month }: { $count } baris (CSV, waktu WIB).
export-col-time = waktu_wib
export-col-ref = refid
export-col-product = produk
export-col-dest = nomor_pelanggan
export-col-kind = jenis
export-col-state = status
export-col-cost = harga_gateway
export-col-sell = harga_jual
export-col-profit = laba
export-col-sn = sn
export-kind-topup = isi ulang
export-kind-payment = bayar tagihan

## Low-balance alert.

err-balance-alert-usage = Format peringatan saldo: /saldo minimal 200000 (matikan: /saldo minimal mati)
balance-alert-is = Peringatan saldo aktif: Anda diberi tahu saat saldo di bawah { $threshold }. Matikan: /saldo minimal mati
balance-alert-none = Belum ada peringatan saldo. Atur: /saldo minimal 200000
balance-alert-set = Peringatan saldo disimpan: Anda diberi tahu sekali saat saldo di bawah { $threshold }.
balance-alert-off = Peringatan saldo dimatikan.
balance-low = ⚠️ Saldo tinggal { $balance }, di bawah batas { $threshold }. Segera isi deposit ke pusat.

## Repeat a topup.

cmd-ulang = Ulangi isi ulang terakhir
help-ulang = Ulangi isi ulang terakhir chat ini: ulang (atau tombol Ulangi)
help-group-ulang = /ulang — ulangi isi ulang terakhir grup ini
button-repeat = 🔁 Ulangi
repeat-nothing = Belum ada isi ulang di chat ini untuk diulang.

## Saved customers.

cmd-simpan = Simpan pelanggan: /simpan PLNPASC 546302215889 Pak Anto
cmd-pelanggan = Daftar pelanggan: /pelanggan, /pelanggan cari anto
help-pelanggan =
    Pelanggan: simpan PLNPASC 546302215889 Pak Anto (atau tombol Simpan), pelanggan, pelanggan cari anto, hapus pelanggan 3
    Pakai nama pelanggan sebagai nomor: PLNPASC anto cek, T10 anto
help-group-pelanggan = /simpan, /pelanggan, /hapus pelanggan 3 — pelanggan tetap akun ini
err-save-usage = Format simpan: simpan PLNPASC 546302215889 Pak Anto (nama paling banyak 40 huruf)
err-customers-usage = Format: pelanggan, pelanggan 2, pelanggan cari anto, hapus pelanggan 3
button-save = 💾 Simpan
customer-saved = Pelanggan disimpan: { $name } — { $product } { $dest }
customer-too-many = Pelanggan sudah { $max }. Hapus yang tidak dipakai: hapus pelanggan N
customer-forgotten = Pelanggan dihapus: { $name } — { $product } { $dest }
customer-no-number = Tidak ada pelanggan nomor { $n }. Lihat daftarnya: pelanggan
customers-none = Belum ada pelanggan tersimpan. Simpan: simpan PLNPASC 546302215889 Pak Anto
customers-title = Pelanggan (halaman { $page }/{ $pages }, { $count } orang):
customers-next = Berikutnya: pelanggan { $next }
customers-found = Pelanggan dengan "{ $words }":
customers-not-found = Tidak ada pelanggan dengan "{ $words }".
customers-line = { $n }. { $name } — { $product } { $dest }
customers-last-paid = {" "}· terakhir { $price } ({ $day })
customers-which = Nama itu cocok untuk lebih dari satu pelanggan. Ketik salah satu:
customers-which-line = • { $name }: { $typed }

## Checking every saved bill at once (cek semua).

cmd-cekbulanan = Cek semua tagihan pelanggan tersimpan
help-cek-semua = Cek semua tagihan pelanggan tersimpan sekaligus: cek semua (atau /cekbulanan) — bayar satu per satu dengan tombolnya
help-group-cek-semua = /cekbulanan (atau /cek semua) — cek semua tagihan pelanggan akun ini
check-all-none = Belum ada pelanggan tagihan tersimpan. Simpan dulu: simpan PLNPASC 546302215889 Pak Anto
check-all-running = Cek semua masih berjalan ({ $checked }/{ $count } dicek). Tunggu ringkasannya.
check-all-capped = Sekali jalan paling banyak { $max } dari { $saved } pelanggan tagihan.
check-all-progress = ⏳ Mengecek tagihan pelanggan: { $checked }/{ $count } dicek
check-all-done = ✅ Selesai: { $checked }/{ $count } dicek. Ringkasan di bawah.
check-all-summary = Ringkasan cek { $count } tagihan:
check-all-line-bill = { $n }. { $name } — { $product } { $dest }: { $total }
check-all-line-paying = { $n }. { $name } — { $product } { $dest }: { $total } ⏳ sedang dibayar
check-all-line-paid = { $n }. { $name } — { $product } { $dest }: { $total } ✅ dibayar
check-all-line-closed = { $n }. { $name } — { $product } { $dest }: { $total } — tidak bisa dibayar dari sini, cek lagi
check-all-line-expired = { $n }. { $name } — { $product } { $dest }: { $total } — kedaluwarsa, cek lagi
check-all-line-paid-already = { $n }. { $name } — { $product } { $dest }: sudah dibayar bulan ini ({ $date } WIB)
check-all-line-nothing-due = { $n }. { $name } — { $product } { $dest }: tidak ada tagihan ({ $reason })
check-all-line-unsettled = { $n }. { $name } — { $product } { $dest }: pembayaran { $ref } masih diproses
check-all-line-failed = { $n }. { $name } — { $product } { $dest }: gagal dicek ({ $reason })
check-all-line-unclear = { $n }. { $name } — { $product } { $dest }: belum ada jawaban jelas, cek lagi nanti
check-all-line-needs-amount = { $n }. { $name }: kartu kredit, ketik jumlahnya: { $example }
check-all-line-waiting = { $n }. { $name } — { $product } { $dest }: masih dicek…
check-all-total = Belum dibayar: { $count } tagihan, total { $total }
check-all-more-coming = Hasil yang masih dicek ditambahkan di sini.
check-all-collect ={" "}· tagih { $collect }
check-all-button-pay = Bayar { $n }. { $name } { $total }

## Center habits (PIN last, counters, center words).

pin-removed = 🔒 Pesan berisi PIN sudah dihapus. Di loket PIN tidak perlu diketik; cukup: { $typed }
pin-removed-plain = 🔒 Pesan berisi PIN sudah dihapus. Di loket PIN tidak perlu diketik.
pin-not-needed = 🔒 PIN tidak diperlukan di loket; pesan Anda sudah dihapus. Tidak ada yang dikirim.
pin-group-reminder = Jangan ketik PIN di grup: login sekali lewat chat pribadi dengan bot (/login), lalu bertransaksi tanpa PIN.
pin-edit-deleted = 🔒 Pesan yang diedit berisi PIN, jadi sudah dihapus. Di loket PIN tidak perlu diketik.
price-list-none = loket tidak punya daftar harga dari pusat. Harga jual Anda sendiri: /jual (atur: /jual T10 12000).
help-harga = Kebiasaan pusat: T10.087712345678.PIN dan SAL.PIN jalan tanpa PIN (pesannya dihapus), T10.2.087712345678 = kirim lagi, S/SAL = saldo, CS REFID = status, H/HARGA → /jual
help-group-harga = Jangan ketik PIN di grup: pesan berisi PIN dihapus. /harga → /jual
