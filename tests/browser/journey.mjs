// Browser journeys of an applicant, in Debian's Chromium through playwright-core, against a running
// gongkai server. Run by the [browser] ctest suite (tests/e2e/browser_test.cpp), which starts the server.
// Env: GONGKAI_URL (server), GONGKAI_BINARY and GONGKAI_DB (to act as staff), GONGKAI_SHOTS (screenshots).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.GONGKAI_URL;
const shots = process.env.GONGKAI_SHOTS;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const step = (name) => console.log(`journey: ${name}`);

try {
  // An applicant on a phone, JavaScript off: the pages must work as plain HTML forms.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false,
                                             locale: 'zh-CN' });
  const page = await context.newPage();

  step('a failing submission shows its field errors and keeps what was typed');
  await page.goto(`${base}/apply`);
  assert.equal(await page.title(), '填写申请表 - 政府信息公开申请');
  assert.equal(await page.getAttribute('a.skip-link', 'href'), '#main');
  assert.equal(await page.getAttribute('#f-name', 'aria-required'), 'true');
  await page.fill('#f-name', '王芳');
  await page.fill('#f-id_number', '110105194912310021');
  await page.fill('#f-phone', '12345');
  await page.fill('#f-description', '2025年本区老旧小区改造项目的批复文件');
  let response = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
  assert.equal(response.status(), 422);
  const summary = page.locator('#error-summary');
  assert.ok(await summary.isVisible());
  {
    // With JavaScript on, the focus moves to the error summary, so what to fix is read first.
    const js = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p2 = await js.newPage();
    await p2.goto(`${base}/apply`);
    await Promise.all([p2.waitForNavigation(), p2.click('button[type=submit]')]);
    await p2.waitForFunction(() => document.activeElement && document.activeElement.id === 'error-summary');
    await js.close();
  }
  assert.match(await summary.innerText(), /居民身份证号码有误/);
  assert.match(await summary.innerText(), /联系电话格式不正确/);
  assert.match(await summary.innerText(), /请填写通信地址/);
  assert.equal(await page.inputValue('#f-name'), '王芳');
  assert.equal(await page.inputValue('#f-description'), '2025年本区老旧小区改造项目的批复文件');
  assert.equal(await page.getAttribute('#f-phone', 'aria-invalid'), 'true');
  await page.screenshot({ path: `${shots}/1-form-errors.png`, fullPage: true });

  step('file an application and read the receipt');
  await page.fill('#f-id_number', '11010519491231002X');
  await page.fill('#f-phone', '13800138000');
  await page.fill('#f-address', '北京市东城区某街道1号 <b>不是粗体</b>');
  await page.selectOption('#f-delivery', 'download');
  response = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
  assert.equal(response.status(), 201);
  const trackingNo = (await page.innerText('#tracking-no')).trim();
  const accessCode = (await page.innerText('#access-code')).trim();
  assert.match(trackingNo, /^\d{4}-\d{6}$/);
  assert.match(accessCode, /^[0-9A-Z]{4}(-[0-9A-Z]{1,4}){6}$/);
  assert.match(await page.innerText('#reply-due'), /^\d{4}-\d{2}-\d{2}/);
  await page.screenshot({ path: `${shots}/2-receipt.png`, fullPage: true });
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.site-header').isVisible(), false);  // the print stylesheet applies
  await page.screenshot({ path: `${shots}/3-receipt-print.png`, fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  const lookUp = async () => {
    await page.goto(`${base}/track`);
    await page.fill('#f-tracking_no', trackingNo);
    await page.fill('#f-access_code', accessCode.toLowerCase());
    const r = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([x]) => x);
    assert.equal(r.status(), 200);
  };

  step('look the case up');
  await lookUp();
  assert.equal((await page.innerText('#state')).trim(), '已收到');
  assert.match(await page.innerText('.steps'), /收到申请/);

  step('staff ask for a correction; the applicant answers it online');
  execFileSync(process.env.GONGKAI_BINARY, ['case', 'event', trackingNo, 'request_correction', '--as', 'staff:clerk',
    '--payload', JSON.stringify({ items: '请写明批复文件的文号 <i>或</i> 年份' }), '--db', process.env.GONGKAI_DB]);
  await lookUp();
  assert.equal((await page.innerText('#state')).trim(), '待补正');
  assert.equal((await page.innerText('#correction-items')).trim(), '请写明批复文件的文号 <i>或</i> 年份');
  await page.screenshot({ path: `${shots}/4-correction-requested.png`, fullPage: true });
  await page.fill('#f-text', '文号：某府办〔2025〕12号');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/track/correction"] button')]);
  assert.equal((await page.innerText('#state')).trim(), '审查办理中');
  assert.match(await page.innerText('.notice'), /补正内容已提交/);

  step('withdraw the application');
  await page.fill('#f-reason', '已通过其他渠道获取');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/track/withdraw"] button')]);
  // A confirmation page first: nothing is withdrawn until its button is pressed.
  assert.equal((await page.innerText('h1')).trim(), '确认撤回申请');
  await page.screenshot({ path: `${shots}/5-withdraw-confirm.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('form[action="/track/withdraw"] button')]);
  assert.equal((await page.innerText('#state')).trim(), '已撤回');
  assert.equal(await page.locator('form[action="/track/withdraw"]').count(), 0);
  await page.screenshot({ path: `${shots}/5-withdrawn.png`, fullPage: true });

  step('a wrong access code gets the same answer as an unknown number');
  await page.goto(`${base}/track`);
  await page.fill('#f-tracking_no', trackingNo);
  await page.fill('#f-access_code', 'AAAA-BBBB');
  const wrong = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
  assert.equal(wrong.status(), 404);
  assert.match(await page.innerText('main'), /没有找到该申请，或查询码不正确/);
  console.log(`journey: done; screenshots in ${shots}`);
} finally {
  await browser.close();
}
